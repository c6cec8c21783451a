namespace Athomic.Scheduler;

/// <summary>What a recurring schedule does with occurrences that passed while no worker was running.</summary>
public enum MisfirePolicy
{
    /// <summary>Run the latest missed occurrence once, then continue with the next future one (the default).</summary>
    RunOnce = 0,

    /// <summary>Run every missed occurrence, oldest first, then continue with the next future one.</summary>
    RunAll = 1,

    /// <summary>Run none of the missed occurrences; continue with the next future one.</summary>
    Skip = 2,
}
