using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Athomic.Scheduler.Cli;

/// <summary>
/// Where the tool finds the schedule: the library's <see cref="SchedulerOptions"/> section (<c>Athomic:Scheduler</c>),
/// layered from <c>appsettings.json</c>, then the environment, then the command line, the later winning.
/// </summary>
internal static class ConnectionSettings
{
    /// <summary>The environment variable with the Redis connection string.</summary>
    public const string RedisVariable = "ATHOMIC_REDIS";

    /// <summary>The environment variable with the Redis password, kept apart from the connection string.</summary>
    public const string PasswordVariable = "ATHOMIC_REDIS_PASSWORD";

    /// <summary>The environment variable with the key prefix.</summary>
    public const string KeyPrefixVariable = "ATHOMIC_KEY_PREFIX";

    /// <summary>The environment variable with the partition count.</summary>
    public const string PartitionsVariable = "ATHOMIC_PARTITIONS";

    /// <summary>The settings file read from the working directory unless <c>--settings</c> names another.</summary>
    public const string DefaultSettingsFile = "appsettings.json";

    private const string Section = SchedulerOptions.SectionName;

    /// <summary>The overrides given on the command line (each <see langword="null"/> when absent).</summary>
    /// <param name="Redis">--redis.</param>
    /// <param name="KeyPrefix">--key-prefix.</param>
    /// <param name="Partitions">--partitions.</param>
    /// <param name="SettingsFile">--settings.</param>
    /// <param name="PasswordFile">--password-file.</param>
    /// <param name="PasswordStdin">--password-stdin.</param>
    public sealed record Overrides(string? Redis, string? KeyPrefix, int? Partitions, string? SettingsFile, string? PasswordFile = null, bool PasswordStdin = false);

    /// <summary>Builds the <c>Athomic:Scheduler</c> section the library's options are bound from.</summary>
    /// <param name="overrides">The command line's values.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The section; it always has a <c>RedisConnectionString</c>.</returns>
    /// <exception cref="UsageException">No connection string anywhere, or the settings file named is missing or invalid.</exception>
    public static IConfigurationSection Load(Overrides overrides, CliEnvironment environment)
    {
        var builder = new ConfigurationBuilder();
        var file = overrides.SettingsFile is { } named
            ? Path.GetFullPath(named, environment.CurrentDirectory)
            : Path.Combine(environment.CurrentDirectory, DefaultSettingsFile);
        if (File.Exists(file))
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        }
        else if (overrides.SettingsFile is not null)
        {
            throw new UsageException($"The settings file '{file}' does not exist.");
        }

        // The .NET convention (Athomic__Scheduler__RedisConnectionString), then the tool's short names, then the options.
        var layer = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in new[] { nameof(SchedulerOptions.RedisConnectionString), nameof(SchedulerOptions.KeyPrefix), nameof(SchedulerOptions.Partitions) })
        {
            Set(layer, key, environment.GetVariable("Athomic__Scheduler__" + key));
        }

        Set(layer, nameof(SchedulerOptions.RedisConnectionString), environment.GetVariable(RedisVariable));
        Set(layer, nameof(SchedulerOptions.KeyPrefix), environment.GetVariable(KeyPrefixVariable));
        Set(layer, nameof(SchedulerOptions.Partitions), environment.GetVariable(PartitionsVariable));
        Set(layer, nameof(SchedulerOptions.RedisConnectionString), overrides.Redis);
        Set(layer, nameof(SchedulerOptions.KeyPrefix), overrides.KeyPrefix);
        Set(layer, nameof(SchedulerOptions.Partitions), overrides.Partitions?.ToString(CultureInfo.InvariantCulture));
        builder.AddInMemoryCollection(layer);

        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new UsageException($"The settings file '{file}' is not valid JSON: {ex.Message}");
        }

        var section = root.GetSection(Section);
        if (string.IsNullOrWhiteSpace(section[nameof(SchedulerOptions.RedisConnectionString)]))
        {
            throw new UsageException(
                $"No Redis connection string: pass --redis, set {RedisVariable}, or put {Section}:RedisConnectionString in {DefaultSettingsFile}.");
        }

        return section;
    }

    /// <summary>
    /// The Redis password given apart from the connection string, so that it never stands in the process's arguments
    /// (which every user of the machine reads with <c>ps</c>): <c>--password-file</c> or <c>--password-stdin</c>, else
    /// <c>ATHOMIC_REDIS_PASSWORD</c>. It replaces the connection string's own <c>password=</c>, and may hold any
    /// character (a connection string cannot hold a comma in a value). A trailing line break is dropped.
    /// </summary>
    /// <param name="overrides">The command line's values.</param>
    /// <param name="environment">The environment.</param>
    /// <returns>The password, or <see langword="null"/> when none is given apart (the connection string's own then applies).</returns>
    /// <exception cref="UsageException">Both options, a file that does not exist or cannot be read, nothing piped, or an empty password.</exception>
    public static string? LoadPassword(Overrides overrides, CliEnvironment environment)
    {
        if (overrides.PasswordFile is not null && overrides.PasswordStdin)
        {
            throw new UsageException("Give the password with one of --password-file or --password-stdin, not both.");
        }

        if (overrides.PasswordFile is { } named)
        {
            var file = Path.GetFullPath(named, environment.CurrentDirectory);
            if (!File.Exists(file))
            {
                throw new UsageException($"The password file '{file}' does not exist.");
            }

            try
            {
                return NotEmpty(File.ReadAllText(file), $"The password file '{file}'");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"The password file '{file}' cannot be read: {ex.Message}");
            }
        }

        if (overrides.PasswordStdin)
        {
            var input = environment.PipedInput() ?? throw new UsageException(
                "--password-stdin reads the password from standard input, but nothing is piped into it: " +
                "run 'athomic ... --password-stdin < FILE' (or pipe it in), or use --password-file.");
            return NotEmpty(input.ReadToEnd(), "The password read from standard input");
        }

        return environment.GetVariable(PasswordVariable) is { Length: > 0 } variable ? variable : null;
    }

    private static string NotEmpty(string text, string source)
    {
        var password = text.TrimEnd('\r', '\n');
        return password.Length > 0 ? password : throw new UsageException(source + " is empty.");
    }

    private static void Set(Dictionary<string, string?> layer, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            layer[Section + ":" + key] = value;
        }
    }
}
