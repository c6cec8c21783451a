namespace Athomic.Scheduler.Cli;

/// <summary>The tool's exit codes; the README and <c>athomic --help</c> list them.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked.</summary>
    public const int Ok = 0;

    /// <summary>Nothing with that id, or nothing to do (no dead letters to requeue or purge).</summary>
    public const int NotFound = 1;

    /// <summary>The command line or the settings are wrong (unknown option, missing argument, invalid id or prefix, no Redis connection string).</summary>
    public const int Usage = 2;

    /// <summary>Redis cannot be reached, refuses the credentials or the TLS handshake, or a call to it failed.</summary>
    public const int Unavailable = 3;

    /// <summary>The id exists but the action does not apply to its state (cancel or run-now of a running task, requeue while the id is scheduled).</summary>
    public const int Refused = 4;

    /// <summary>An unexpected error (a bug, or a store that does not support the call); the message says what.</summary>
    public const int Failed = 5;

    /// <summary>Ctrl+C stopped a command other than <c>watch</c> (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>The lines <c>--help</c> prints under "Exit codes".</summary>
    public static readonly string HelpText =
        "Exit codes:" + Environment.NewLine +
        "    0  done" + Environment.NewLine +
        "    1  not found, or nothing to do" + Environment.NewLine +
        "    2  usage error (bad option, argument or id; no Redis connection string)" + Environment.NewLine +
        "    3  Redis unreachable or refused the password, a Redis call failed, or" + Environment.NewLine +
        "       replicas did not confirm a write (Durability:WaitForReplicas)" + Environment.NewLine +
        "    4  refused: the task is running, or its id is already scheduled" + Environment.NewLine +
        "    5  unexpected error (the message says what)" + Environment.NewLine +
        "  130  interrupted (Ctrl+C; watch ends with 0)";
}

/// <summary>A mistake on the command line or in the settings: printed without a stack trace, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Redis cannot be reached: printed without a stack trace, exit code 3.</summary>
internal sealed class RedisUnreachableException(string message) : Exception(message);
