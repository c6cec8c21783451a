namespace Athomic.Scheduler;

/// <summary>
/// Marks the payload member whose value is the concurrency key of a handler with
/// <see cref="ScheduledHandlerAttribute.MaxConcurrencyPerKey"/>: runs with equal keys share that limit. The member is
/// a string, an integer, a <see cref="Guid"/> or an enum; the source generator reads it without reflection.
/// </summary>
/// <example><c>public sealed record SyncCustomer([property: Key(0), ConcurrencyKey] Guid CustomerId);</c></example>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false, Inherited = true)]
public sealed class ConcurrencyKeyAttribute : Attribute
{
}
