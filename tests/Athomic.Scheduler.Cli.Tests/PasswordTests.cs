using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary>
/// The Redis password kept off the command line, where every user of the machine reads it in <c>ps</c>:
/// <c>ATHOMIC_REDIS_PASSWORD</c>, <c>--password-file</c> and <c>--password-stdin</c>, against a redis-server with
/// <c>requirepass</c>; the password is never printed. TLS (<c>ssl=true</c>) against its TLS port, signed by a private CA.
/// </summary>
[Collection(ProtectedRedisCollection.Name)]
public sealed class PasswordTests(ProtectedRedisFixture redis)
{
    private const string Password = ProtectedRedisFixture.Password;

    [Fact]
    public async Task The_password_comes_from_ATHOMIC_REDIS_PASSWORD_and_is_never_printed()
    {
        await using var schedule = await SeedAsync("pwenv:1");
        var environment = CliEnvironment.For(NewDirectory(), new Dictionary<string, string>
        {
            ["ATHOMIC_REDIS"] = redis.ConnectionString,
            ["ATHOMIC_KEY_PREFIX"] = schedule.Prefix,
            ["ATHOMIC_REDIS_PASSWORD"] = Password,
        });

        var result = await Tool.RunAsync(environment, ["show", "pwenv:1"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("state:       pending", result.Out);
        Assert.DoesNotContain(Password, result.Out + result.Error);
    }

    [Fact]
    public async Task The_password_comes_from_the_file_named_by_password_file_relative_to_the_working_directory()
    {
        await using var schedule = await SeedAsync("pwfile:1");
        var directory = NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "redis.pass"), Password + "\n"); // as `echo … > redis.pass` writes it

        var result = await Tool.RunAsync(CliEnvironment.For(directory), ["show", "pwfile:1", "--json", "--redis", redis.ConnectionString, "--key-prefix", schedule.Prefix, "--password-file", "redis.pass"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("pending", JsonDocument.Parse(result.Out).RootElement.GetProperty("state").GetString());
        Assert.DoesNotContain(Password, result.Out + result.Error);
    }

    [Fact]
    public async Task The_built_tool_reads_the_password_piped_into_password_stdin_or_from_its_environment()
    {
        await using var schedule = await SeedAsync("pwstdin:1");
        var environment = new Dictionary<string, string>
        {
            ["ATHOMIC_REDIS"] = redis.ConnectionString,
            ["ATHOMIC_KEY_PREFIX"] = schedule.Prefix,
        };

        var piped = await ToolProcess.RunBuiltWithInputAsync(environment, Password + "\n", "stats", "--json", "--password-stdin");
        var fromEnvironment = await ToolProcess.RunBuiltAsync(new Dictionary<string, string>(environment) { ["ATHOMIC_REDIS_PASSWORD"] = Password }, "stats", "--json");
        var without = await ToolProcess.RunBuiltAsync(environment, "stats", "--json");

        Assert.True(piped.ExitCode == 0, piped.ToString());
        Assert.Equal(1, JsonDocument.Parse(piped.Out).RootElement.GetProperty("total").GetProperty("pending").GetInt64());
        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.Equal(ExitCodes.Unavailable, without.ExitCode);
        Assert.DoesNotContain(Password, piped.Out + piped.Error + fromEnvironment.Out + fromEnvironment.Error);
    }

    [Fact]
    public async Task A_password_given_apart_wins_over_the_connection_strings_and_a_file_over_the_environment()
    {
        await using var schedule = await SeedAsync("pwlayers:1");
        var directory = NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "redis.pass"), Password);
        var wrongEnvironment = CliEnvironment.For(directory, new Dictionary<string, string> { ["ATHOMIC_REDIS_PASSWORD"] = "not-it" });
        var rightEnvironment = CliEnvironment.For(directory, new Dictionary<string, string> { ["ATHOMIC_REDIS_PASSWORD"] = Password });
        string[] wrongInString = ["show", "pwlayers:1", "--redis", redis.ConnectionString + ",password=not-it-either", "--key-prefix", schedule.Prefix];

        var fileOverEnvironment = await Tool.RunAsync(wrongEnvironment, [.. wrongInString, "--password-file", "redis.pass"]);
        var environmentOverString = await Tool.RunAsync(rightEnvironment, wrongInString);

        Assert.True(fileOverEnvironment.ExitCode == 0, fileOverEnvironment.ToString());
        Assert.True(environmentOverString.ExitCode == 0, environmentOverString.ToString());
    }

    [Fact]
    public async Task A_password_a_connection_string_cannot_hold_works_from_the_environment()
    {
        // A comma ends a connection string's option and '=' starts one: "password=a,b=c" is not a password.
        const string user = "athomic-ops";
        const string awkward = "pw,with=commas;and spaces";
        await using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.AuthenticatedConnectionString))
        {
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", user, "on", ">" + awkward, "~*", "&*", "+@all");
        }

        await using var schedule = await SeedAsync("pwawkward:1");
        var environment = CliEnvironment.For(NewDirectory(), new Dictionary<string, string> { ["ATHOMIC_REDIS_PASSWORD"] = awkward });

        var result = await Tool.RunAsync(environment, ["show", "pwawkward:1", "--redis", redis.ConnectionString + ",user=" + user, "--key-prefix", schedule.Prefix]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(awkward, result.Out + result.Error);
    }

    [Fact]
    public async Task A_wrong_password_exits_3_saying_redis_refused_it_without_printing_it()
    {
        const string wrong = "wrong-pw-3Fz9";
        var environment = CliEnvironment.For(NewDirectory(), new Dictionary<string, string> { ["ATHOMIC_REDIS_PASSWORD"] = wrong });

        var result = await Tool.RunAsync(environment, ["stats", "--redis", redis.ConnectionString]);
        var inString = await Tool.RunAsync(CliEnvironment.For(NewDirectory()), ["stats", "--redis", redis.ConnectionString + ",password=" + wrong]);

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains("refused the credentials", result.Error);
        Assert.DoesNotContain(wrong, result.Out + result.Error);
        Assert.Equal(ExitCodes.Unavailable, inString.ExitCode);
        Assert.DoesNotContain(wrong, inString.Out + inString.Error);
    }

    [Fact]
    public async Task Password_sources_that_cannot_be_read_exit_2_and_say_why()
    {
        var directory = NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "empty.pass"), "\n");
        await File.WriteAllTextAsync(Path.Combine(directory, "redis.pass"), Password);
        var environment = CliEnvironment.For(directory);
        string[] stats = ["stats", "--redis", redis.ConnectionString];

        var missing = await Tool.RunAsync(environment, [.. stats, "--password-file", "missing.pass"]);
        var empty = await Tool.RunAsync(environment, [.. stats, "--password-file", "empty.pass"]);
        var both = await Tool.RunAsync(environment, [.. stats, "--password-file", "redis.pass", "--password-stdin"]);
        var nothingPiped = await Tool.RunAsync(environment, [.. stats, "--password-stdin"]); // standard input is not redirected here

        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("missing.pass", missing.Error);
        Assert.Contains("does not exist", missing.Error);
        Assert.Equal(ExitCodes.Usage, empty.ExitCode);
        Assert.Contains("is empty", empty.Error);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("--password-file or --password-stdin", both.Error);
        Assert.Equal(ExitCodes.Usage, nothingPiped.ExitCode);
        Assert.Contains("standard input", nothingPiped.Error);
        Assert.DoesNotContain(Password, both.Out + both.Error);
    }

    [Fact]
    public async Task A_password_inside_ATHOMIC_REDIS_reached_redis_before_the_password_options_too()
    {
        // Not the defect: the environment and appsettings.json always carried the whole connection string, password
        // included. What was missing is a password apart from it (any characters, a file or a pipe) and saying so.
        await using var schedule = await SeedAsync("pwstring:1");
        var environment = CliEnvironment.For(NewDirectory(), new Dictionary<string, string>
        {
            ["ATHOMIC_REDIS"] = redis.AuthenticatedConnectionString,
            ["ATHOMIC_KEY_PREFIX"] = schedule.Prefix,
        });

        var result = await Tool.RunAsync(environment, ["show", "pwstring:1"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(Password, result.Out + result.Error);
    }

    [Fact]
    public async Task The_built_tool_connects_over_TLS_trusting_a_private_CA_named_by_SERedis_IssuerCertPath()
    {
        await using var schedule = await SeedAsync("tls:1");
        var environment = new Dictionary<string, string>
        {
            ["ATHOMIC_REDIS"] = redis.TlsConnectionString,
            ["ATHOMIC_REDIS_PASSWORD"] = Password,
            ["ATHOMIC_KEY_PREFIX"] = schedule.Prefix,
        };

        var trusted = await ToolProcess.RunBuiltAsync(new Dictionary<string, string>(environment) { ["SERedis_IssuerCertPath"] = redis.CaFile }, "show", "tls:1", "--json");
        var untrusted = await ToolProcess.RunBuiltAsync(environment, "show", "tls:1", "--json");

        Assert.True(trusted.ExitCode == 0, trusted.ToString());
        Assert.Equal("pending", JsonDocument.Parse(trusted.Out).RootElement.GetProperty("state").GetString());
        Assert.Equal(ExitCodes.Unavailable, untrusted.ExitCode); // the certificate is checked: no CA of the system signed it
        Assert.Contains("TLS handshake", untrusted.Error);
    }

    [Fact]
    public async Task Help_names_the_password_sources_and_the_TLS_settings()
    {
        var result = await Tool.RunAsync("--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        foreach (var expected in new[] { "--password-file", "--password-stdin", "ATHOMIC_REDIS_PASSWORD", "ssl=true", "sslHost", "SERedis_IssuerCertPath" })
        {
            Assert.Contains(expected, result.Out);
        }
    }

    private async Task<ScheduleUnderTest> SeedAsync(string id)
    {
        var schedule = ScheduleUnderTest.Create(redis.AuthenticatedConnectionString);
        await schedule.ScheduleAsync(id, TimeSpan.FromHours(1));
        return schedule;
    }

    private static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "athomic-cli-pw-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
