namespace Athomic.Scheduler.Serialization;

/// <summary>Thrown when stored task bytes cannot be read as a <see cref="TaskEnvelope"/>.</summary>
public sealed class TaskEnvelopeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the envelope.</param>
    public TaskEnvelopeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong with the envelope.</param>
    /// <param name="inner">The cause.</param>
    public TaskEnvelopeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
