namespace Athomic.Scheduler;

/// <summary>Thrown when the schedule store cannot be reached or fails; the call's effect is unknown only when
/// <see cref="Exception.InnerException"/> is a timeout.</summary>
public sealed class SchedulerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="inner">The cause.</param>
    public SchedulerUnavailableException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
