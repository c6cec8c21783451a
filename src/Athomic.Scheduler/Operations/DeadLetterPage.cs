namespace Athomic.Scheduler.Operations;

/// <summary>One page of dead letters.</summary>
/// <param name="Items">The dead letters of the page, newest first.</param>
/// <param name="Total">How many dead letters there are in all (a task dead-lettered more than once counts once per dead letter).</param>
public sealed record DeadLetterPage(IReadOnlyList<DeadLetter> Items, long Total);
