namespace Athomic.Scheduler.Generators.Model;

/// <summary>
/// The assembly's payload-formatter settings, as a pipeline step's value. A reference type rather than a bare
/// <see langword="bool"/>: Roslyn's generic step code is compiled again for every value type (and every tuple holding
/// one) a pipeline carries, which a cold compiler pays in JIT time (see <see cref="EquatableArrayBox{T}"/>).
/// </summary>
/// <param name="DynamicFallback">Whether the assembly has <c>[assembly: DynamicPayloadFormatters]</c>.</param>
internal sealed record FormatterSettings(bool DynamicFallback);
