namespace Athomic.Scheduler.Generators.Model;

/// <summary>
/// An <see cref="EquatableArray{T}"/> as a reference type, for the values of pipeline steps: Roslyn's generic step
/// code (node state tables, builders, transforms) is shared by all reference types but compiled again for each value
/// type, and a cold compiler pays that in JIT time (about 350 methods for the two struct-valued steps this replaces).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="Items">The elements, compared by value.</param>
internal sealed record EquatableArrayBox<T>(EquatableArray<T> Items);
