using System.Globalization;
using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Flow;

/// <summary>
/// The text form of a <see cref="HandlerFlowSpec"/> that workers publish (flow keys' <c>limits</c> hash) so operators
/// see every handler's limits: <c>c=3;k=1;r=10;w=1000;t=30000;p=10</c> (concurrency, per key, rate, window ms,
/// timeout ms, priority); absent fields are 0 or none.
/// </summary>
internal static class FlowSpecText
{
    public static string Format(HandlerFlowSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = new List<string>(6);
        Add(parts, "c", spec.MaxConcurrency);
        Add(parts, "k", spec.MaxConcurrencyPerKey);
        Add(parts, "r", spec.RateLimit);
        if (spec.RateLimit > 0)
        {
            Add(parts, "w", (long)spec.RateLimitWindow.TotalMilliseconds);
        }

        if (spec.Timeout is { } timeout)
        {
            Add(parts, "t", (long)timeout.TotalMilliseconds);
        }

        Add(parts, "p", spec.Priority);
        return string.Join(';', parts);
    }

    /// <summary>Reads <see cref="Format"/>'s text; unknown or malformed fields are ignored (a newer host may add some).</summary>
    public static HandlerFlowSpec Parse(string? text)
    {
        long c = 0, k = 0, r = 0, w = 0, p = 0;
        long? t = null;
        foreach (var part in (text ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !long.TryParse(part.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                continue;
            }

            switch (part[..eq])
            {
                case "c": c = value; break;
                case "k": k = value; break;
                case "r": r = value; break;
                case "w": w = value; break;
                case "t": t = value; break;
                case "p": p = value; break;
            }
        }

        return new HandlerFlowSpec
        {
            MaxConcurrency = (int)Math.Min(c, int.MaxValue),
            MaxConcurrencyPerKey = (int)Math.Min(k, int.MaxValue),
            RateLimit = (int)Math.Min(r, int.MaxValue),
            RateLimitWindow = TimeSpan.FromMilliseconds(w),
            Timeout = t is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            Priority = (int)Math.Min(p, GenericTask.MaxPriority),
        };
    }

    private static void Add(List<string> parts, string name, long value)
    {
        if (value != 0)
        {
            parts.Add(name + "=" + value.ToString(CultureInfo.InvariantCulture));
        }
    }
}
