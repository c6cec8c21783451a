namespace Athomic.Scheduler.Serialization;

/// <summary>Thrown when a task's payload cannot be decoded; such a task is dead-lettered, never retried.</summary>
public sealed class TaskPayloadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The cause.</param>
    public TaskPayloadException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
