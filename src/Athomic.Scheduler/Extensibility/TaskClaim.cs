namespace Athomic.Scheduler.Extensibility;

/// <summary>
/// One claim of a task: its id and the fencing token the store gave that claim. A later claim of the same id (after
/// the lease expired) gets a greater token, and the store acts only on the current one. Tokens are unique per
/// partition, not across partitions: a claim is identified by id and token together.
/// </summary>
/// <param name="TaskId">The task id.</param>
/// <param name="Token">The fencing token.</param>
public readonly record struct TaskClaim(string TaskId, long Token);
