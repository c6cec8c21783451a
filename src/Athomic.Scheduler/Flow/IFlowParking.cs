using Athomic.Scheduler.Extensibility;

namespace Athomic.Scheduler.Flow;

/// <summary>
/// Where flow control holds due tasks back: a schedule store that can turn a claim into a waiting task (over a limit,
/// or its handler paused: pending at its due time, no attempt used, never met by a claim) and claim a handler's waiting
/// tasks again when a slot frees, keys in turn.
/// </summary>
internal interface IFlowParking
{
    /// <summary>
    /// Ends current claims by making their tasks wait; a version scheduled meanwhile stays held back behind its task,
    /// which then counts as claimed (it runs before that version, as the version's schedule said).
    /// </summary>
    /// <returns>How many tasks now wait.</returns>
    Task<int> ParkAsync(IReadOnlyList<ParkedTask> tasks, CancellationToken cancellationToken);

    /// <summary>Claims up to <paramref name="maxCount"/> waiting tasks of <paramref name="handler"/> under a lease.</summary>
    /// <param name="handler">The handler.</param>
    /// <param name="maxCount">The batch size.</param>
    /// <param name="perKey">At most this many tasks of one concurrency key per round.</param>
    /// <param name="afterKey">Start after this key (the one served last), or <see langword="null"/> at the first.</param>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task<UnparkBatch> UnparkAsync(string handler, int maxCount, int perKey, string? afterKey, TimeSpan lease, CancellationToken cancellationToken);
}

/// <summary>A claim to turn into a waiting task.</summary>
/// <param name="Claim">The claim.</param>
/// <param name="Handler">The task's handler.</param>
/// <param name="Key">Its concurrency key ('' without one).</param>
/// <param name="DueMilliseconds">Its due time (Unix ms), kept while it waits.</param>
internal readonly record struct ParkedTask(TaskClaim Claim, string Handler, string Key, long DueMilliseconds);

/// <summary>Waiting tasks claimed again.</summary>
/// <param name="Tasks">The claimed tasks.</param>
/// <param name="LastKey">The last key served, to start after next time.</param>
/// <param name="NowMilliseconds">The store's clock.</param>
/// <param name="Waiting">How many tasks still wait in the partitions visited.</param>
internal sealed record UnparkBatch(IReadOnlyList<ClaimedEntry> Tasks, string? LastKey, long NowMilliseconds, long Waiting = 0);
