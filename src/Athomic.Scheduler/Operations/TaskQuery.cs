namespace Athomic.Scheduler.Operations;

/// <summary>What one call of <see cref="ISchedulerOperations.ListTasksAsync"/> lists.</summary>
/// <param name="State">Pending (by due time), in flight (by lease deadline) or dead letters (newest first).</param>
public sealed record TaskQuery(ScheduledTaskState State = ScheduledTaskState.Pending)
{
    /// <summary>The largest page size.</summary>
    public const int MaxLimit = 500;

    /// <summary>How many entries a filtered listing looks at per partition and call, as a multiple of <see cref="Limit"/>.</summary>
    public const int ScanFactor = 10;

    /// <summary>The page size (1–<see cref="MaxLimit"/>; default 100).</summary>
    public int Limit { get; init; } = 100;

    /// <summary>The <see cref="TaskPage.NextCursor"/> of the previous page, or <see langword="null"/> for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>Only tasks of this handler (exact, case-sensitive), or <see langword="null"/> for all.</summary>
    public string? Handler { get; init; }

    /// <summary>Only tasks whose id starts with this (ordinal), or <see langword="null"/> for all.</summary>
    public string? IdPrefix { get; init; }
}
