namespace Athomic.Scheduler.Generators.Model;

/// <summary>How a concurrency key's value becomes its stable string.</summary>
internal enum ConcurrencyKeyKind
{
    /// <summary>A string, as it is (<see langword="null"/> is the empty string).</summary>
    String,

    /// <summary>An integer type, in the invariant culture.</summary>
    Integer,

    /// <summary>A <c>Guid</c>, as 32 hex digits (<c>"N"</c>).</summary>
    Guid,

    /// <summary>An enum, as its underlying integer value in the invariant culture.</summary>
    Enum,
}

/// <summary>
/// The handler's flow control from <c>[ScheduledHandler]</c>; present only when something is declared, so handlers
/// without flow control keep their generated code. Durations are in ticks.
/// </summary>
/// <param name="MaxConcurrency">Runs at once across the cluster; 0 for no limit.</param>
/// <param name="MaxConcurrencyPerKey">Runs at once per concurrency key; 0 for no limit (then <paramref name="Key"/> is <see langword="null"/>).</param>
/// <param name="RateLimit">Starts per window; 0 for no limit.</param>
/// <param name="RateLimitWindowTicks">The rate window; 0 without a rate limit.</param>
/// <param name="TimeoutTicks">The run timeout, or <see langword="null"/> for none.</param>
/// <param name="Priority">The priority, 0 to 1000.</param>
/// <param name="Key">How to read the concurrency key from the payload, with <paramref name="MaxConcurrencyPerKey"/>.</param>
internal sealed record FlowSpec(
    int MaxConcurrency,
    int MaxConcurrencyPerKey,
    int RateLimit,
    long RateLimitWindowTicks,
    long? TimeoutTicks,
    int Priority,
    ConcurrencyKeySpec? Key);

/// <summary>The payload member marked <c>[ConcurrencyKey]</c>, as generated code reads it.</summary>
/// <param name="MemberName">The member name as a C# identifier.</param>
/// <param name="Kind">How its value is formatted.</param>
/// <param name="IsNullable">Whether the member can be <see langword="null"/> (a <c>Nullable&lt;T&gt;</c>; strings always can).</param>
/// <param name="PayloadCanBeNull">Whether the decoded payload itself can be <see langword="null"/> (a reference type or <c>Nullable&lt;T&gt;</c>).</param>
/// <param name="EnumUnderlyingType">The C# keyword of an enum's underlying type (<c>int</c>, <c>byte</c>…); <see langword="null"/> otherwise.</param>
internal sealed record ConcurrencyKeySpec(
    string MemberName,
    ConcurrencyKeyKind Kind,
    bool IsNullable,
    bool PayloadCanBeNull,
    string? EnumUnderlyingType);
