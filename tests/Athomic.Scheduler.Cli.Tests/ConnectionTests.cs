using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary>Where the tool finds Redis, the key prefix and the partitions: options, environment, appsettings.json.</summary>
[Collection(RedisCollection.Name)]
public sealed class ConnectionTests(RedisFixture redis)
{
    [Fact]
    public async Task The_connection_comes_from_the_ATHOMIC_REDIS_environment_variable()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("env:1", TimeSpan.FromHours(1));
        var environment = CliEnvironment.For(NewDirectory(), new Dictionary<string, string>
        {
            ["ATHOMIC_REDIS"] = redis.ConnectionString,
            ["ATHOMIC_KEY_PREFIX"] = schedule.Prefix,
        });

        var result = await Tool.RunAsync(environment, ["show", "env:1"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("state:       pending", result.Out);
    }

    [Fact]
    public async Task A_write_the_replicas_do_not_confirm_exits_3_and_says_so()
    {
        // The application's settings ask for a replica (Durability:WaitForReplicas) and this redis-server has none.
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("dur:1", TimeSpan.FromHours(1));
        var directory = NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "appsettings.json"), JsonSerializer.Serialize(new
        {
            Athomic = new { Scheduler = new { RedisConnectionString = redis.ConnectionString, KeyPrefix = schedule.Prefix, Durability = new { WaitForReplicas = 1, ReplicaTimeout = "00:00:00.200" } } },
        }));

        var result = await Tool.RunAsync(CliEnvironment.For(directory), ["cancel", "dur:1"]);

        Assert.True(result.ExitCode == ExitCodes.Unavailable, result.ToString());
        Assert.Contains("replicas did not confirm the write", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_connection_comes_from_appsettings_json_in_the_working_directory_with_the_librarys_keys()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString, partitions: 3);
        await schedule.ScheduleAsync("file:1", TimeSpan.FromHours(1));
        var directory = NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "appsettings.json"), JsonSerializer.Serialize(new
        {
            Athomic = new { Scheduler = new { RedisConnectionString = redis.ConnectionString, KeyPrefix = schedule.Prefix, Partitions = 3 } },
        }));

        var result = await Tool.RunAsync(CliEnvironment.For(directory), ["show", "file:1", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("pending", JsonDocument.Parse(result.Out).RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Options_win_over_the_environment_and_the_environment_over_appsettings_json()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("layers:1", TimeSpan.FromHours(1));
        var directory = NewDirectory();
        await File.WriteAllTextAsync(Path.Combine(directory, "appsettings.json"),
            """{ "Athomic": { "Scheduler": { "RedisConnectionString": "127.0.0.1:1", "KeyPrefix": "wrong" } } }""");
        var environment = CliEnvironment.For(directory, new Dictionary<string, string> { ["ATHOMIC_REDIS"] = redis.ConnectionString });

        var fromEnvironment = await Tool.RunAsync(environment, ["show", "layers:1", "--key-prefix", schedule.Prefix]);
        var wrongPrefix = await Tool.RunAsync(environment, ["show", "layers:1"]);

        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.ToString());
        Assert.Equal(ExitCodes.NotFound, wrongPrefix.ExitCode);
    }

    [Fact]
    public async Task A_named_settings_file_is_read_instead_of_the_working_directorys()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("named:1", TimeSpan.FromHours(1));
        var file = Path.Combine(NewDirectory(), "prod.json");
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(new
        {
            Athomic = new { Scheduler = new { RedisConnectionString = redis.ConnectionString, KeyPrefix = schedule.Prefix } },
        }));

        var result = await Tool.RunAsync(CliEnvironment.For(NewDirectory()), ["show", "named:1", "--settings", file]);
        var missing = await Tool.RunAsync(CliEnvironment.For(NewDirectory()), ["show", "named:1", "--settings", file + ".missing"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(ExitCodes.Usage, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error);
    }

    [Fact]
    public async Task Without_a_connection_string_the_tool_says_where_to_put_one_and_exits_2()
    {
        var result = await Tool.RunAsync("list", "dead");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--redis", result.Error);
        Assert.Contains("ATHOMIC_REDIS", result.Error);
        Assert.Contains("appsettings.json", result.Error);
    }

    [Fact]
    public async Task An_unreachable_redis_exits_3()
    {
        var result = await Tool.RunAsync("list", "dead", "--redis", "127.0.0.1:1,connectTimeout=500");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Contains("unreachable", result.Error);
    }

    [Fact]
    public async Task A_key_prefix_the_library_refuses_exits_2_with_the_librarys_message()
    {
        var result = await Tool.RunAsync("list", "dead", "--redis", redis.ConnectionString, "--key-prefix", "a#b");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("KeyPrefix", result.Error);
    }

    [Fact]
    public async Task The_dotnet_convention_variables_are_read_too_and_a_value_that_does_not_convert_exits_2()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString, partitions: 2);
        await schedule.ScheduleAsync("dotnet:1", TimeSpan.FromHours(1));
        var variables = new Dictionary<string, string>
        {
            ["Athomic__Scheduler__RedisConnectionString"] = redis.ConnectionString,
            ["Athomic__Scheduler__KeyPrefix"] = schedule.Prefix,
            ["Athomic__Scheduler__Partitions"] = "2",
        };

        var found = await Tool.RunAsync(CliEnvironment.For(NewDirectory(), variables), ["show", "dotnet:1"]);
        var invalid = await Tool.RunAsync(CliEnvironment.For(NewDirectory(), new Dictionary<string, string>(variables) { ["ATHOMIC_PARTITIONS"] = "two" }), ["stats"]);

        Assert.True(found.ExitCode == 0, found.ToString());
        Assert.Equal(ExitCodes.Usage, invalid.ExitCode);
        Assert.Contains("Invalid settings", invalid.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2000")]
    public async Task A_partition_count_out_of_range_exits_2(string partitions)
    {
        var result = await Tool.RunAsync("list", "dead", "--redis", redis.ConnectionString, "--partitions", partitions);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("Partitions", result.Error);
    }

    private static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "athomic-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
