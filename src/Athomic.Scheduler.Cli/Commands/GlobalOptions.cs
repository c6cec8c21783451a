using System.CommandLine;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>The options every command takes: where the schedule is and how to print.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Redis { get; } = new("--redis")
    {
        Description = $"Redis connection string (StackExchange.Redis format). Default: ${ConnectionSettings.RedisVariable}, then Athomic:Scheduler:RedisConnectionString in appsettings.json",
        HelpName = "connection",
        Recursive = true,
    };

    public Option<string?> PasswordFile { get; } = new("--password-file")
    {
        Description = $"Read the Redis password from this file (not from the arguments, which ps shows). Default: ${ConnectionSettings.PasswordVariable}, then password= in the connection string",
        HelpName = "file",
        Recursive = true,
    };

    public Option<bool> PasswordStdin { get; } = new("--password-stdin")
    {
        Description = "Read the Redis password from standard input (pipe or redirect it in)",
        Recursive = true,
    };

    public Option<string?> KeyPrefix { get; } = new("--key-prefix")
    {
        Description = $"The scheduler's KeyPrefix (default athomic:scheduler, or ${ConnectionSettings.KeyPrefixVariable}, or appsettings.json)",
        HelpName = "prefix",
        Recursive = true,
    };

    public Option<int?> Partitions { get; } = new("--partitions")
    {
        Description = $"The scheduler's Partitions, 1-1024 (default 1, or ${ConnectionSettings.PartitionsVariable}, or appsettings.json)",
        HelpName = "n",
        Recursive = true,
    };

    public Option<string?> Settings { get; } = new("--settings")
    {
        Description = "A settings file to read instead of ./appsettings.json (section Athomic:Scheduler)",
        HelpName = "file",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print machine-readable JSON instead of text",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Add(Redis);
        root.Add(PasswordFile);
        root.Add(PasswordStdin);
        root.Add(KeyPrefix);
        root.Add(Partitions);
        root.Add(Settings);
        root.Add(Json);
    }
}
