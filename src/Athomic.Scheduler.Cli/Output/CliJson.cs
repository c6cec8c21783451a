using System.Text.Json;
using System.Text.Json.Serialization;

namespace Athomic.Scheduler.Cli.Output;

/// <summary>A task as <c>--json</c> prints it (list, show).</summary>
internal sealed record TaskJson
{
    public required string Id { get; init; }

    public required string State { get; init; }

    public string? Handler { get; init; }

    public int? Attempt { get; init; }

    public DateTimeOffset? DueAt { get; init; }

    /// <summary>True for a pending task that is due and waits for flow control (its handler paused or at its limit); absent otherwise.</summary>
    public bool? Waiting { get; init; }

    public DateTimeOffset? LeaseDeadline { get; init; }

    public string? Owner { get; init; }

    public int? Partition { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset? FailedAt { get; init; }

    public string? Schedule { get; init; }

    public DateTimeOffset? NextOccurrence { get; init; }

    /// <summary>A recurring schedule's pending occurrence.</summary>
    public string? PendingTaskId { get; init; }

    public int? PayloadBytes { get; init; }

    /// <summary>The payload decoded from MessagePack, when it decodes.</summary>
    public JsonElement? Payload { get; init; }

    /// <summary>The payload's bytes, base64, when it does not decode.</summary>
    public string? PayloadBase64 { get; init; }

    /// <summary>Why the payload is not shown as JSON, when it does not decode.</summary>
    public string? PayloadProblem { get; init; }
}

/// <summary>A page of a list.</summary>
internal sealed record PageJson
{
    public required string Kind { get; init; }

    public required IReadOnlyList<TaskJson> Items { get; init; }

    public long? Total { get; init; }

    /// <summary>Pass to <c>--cursor</c> for the next page; absent on the last page.</summary>
    public string? NextCursor { get; init; }
}

/// <summary>The result of an action (cancel, run-now, requeue, purge-dead, pause, resume).</summary>
internal sealed record ActionJson
{
    public required string Action { get; init; }

    public string? Id { get; init; }

    public required string Result { get; init; }

    public long? Count { get; init; }

    /// <summary>The task id an action created (run-now of a recurring schedule).</summary>
    public string? TaskId { get; init; }
}

/// <summary>One partition's counts, or (without a partition) all partitions' together.</summary>
internal sealed record CountsJson
{
    public int? Partition { get; init; }

    public required long Pending { get; init; }

    public required long InFlight { get; init; }

    public required long Dead { get; init; }

    public required long Recurring { get; init; }

    /// <summary>The due time of the first pending task.</summary>
    public DateTimeOffset? NextDueAt { get; init; }

    /// <summary>How long the first pending task is overdue, in seconds (0 when nothing is due).</summary>
    public required double LatenessSeconds { get; init; }
}

/// <summary>Counts per partition and in all.</summary>
internal sealed record StatsJson
{
    public required string KeyPrefix { get; init; }

    /// <summary>The store's time of the read.</summary>
    public required DateTimeOffset ReadAt { get; init; }

    public required IReadOnlyList<CountsJson> Partitions { get; init; }

    public required CountsJson Total { get; init; }
}

/// <summary>A handler under flow control (<c>handlers</c>); a limit of 0 is no limit.</summary>
internal sealed record HandlerJson
{
    public required string Handler { get; init; }

    public required bool Paused { get; init; }

    public required int MaxConcurrency { get; init; }

    public required int MaxConcurrencyPerKey { get; init; }

    public required int RateLimit { get; init; }

    /// <summary>The rate window, in seconds; absent without a rate limit.</summary>
    public double? RateLimitWindowSeconds { get; init; }

    /// <summary>The run timeout, in seconds; absent without one.</summary>
    public double? TimeoutSeconds { get; init; }

    public required int Priority { get; init; }

    /// <summary>Runs holding a slot now.</summary>
    public required long SlotsInUse { get; init; }

    /// <summary>Starts in the current rate window.</summary>
    public required long StartsInWindow { get; init; }

    /// <summary>Due tasks held back by a limit or the pause, over every partition.</summary>
    public required long Waiting { get; init; }
}

/// <summary>The handlers under flow control, by name.</summary>
internal sealed record HandlerListJson
{
    public string Kind { get; init; } = "handlers";

    public required IReadOnlyList<HandlerJson> Items { get; init; }
}

/// <summary>The source-generated serializer of everything <c>--json</c> prints: camelCase, indented, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TaskJson))]
[JsonSerializable(typeof(PageJson))]
[JsonSerializable(typeof(ActionJson))]
[JsonSerializable(typeof(StatsJson))]
[JsonSerializable(typeof(HandlerListJson))]
internal sealed partial class CliJson : JsonSerializerContext
{
    private static CliJson? _compact;

    /// <summary>The same serializer writing one line per value.</summary>
    private static CliJson Compact => _compact ??= new CliJson(new JsonSerializerOptions(Default.Options) { WriteIndented = false });

    /// <summary>Writes <paramref name="value"/> and a newline: indented, or on one line (JSON Lines, for <c>watch</c>).</summary>
    public static void Write<T>(TextWriter output, T value, bool oneLine = false)
    {
        var context = oneLine ? Compact : Default;
        var info = (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)context.GetTypeInfo(typeof(T))!;
        output.WriteLine(JsonSerializer.Serialize(value, info));
    }
}
