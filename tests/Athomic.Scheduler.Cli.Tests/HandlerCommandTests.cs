using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary><c>handlers</c>, <c>pause</c> and <c>resume</c>: flow control as an operator sees and changes it.</summary>
[Collection(RedisCollection.Name)]
public sealed class HandlerCommandTests(RedisFixture redis)
{
    [Fact]
    public async Task Handlers_shows_limits_slots_in_use_waiting_tasks_and_paused_state_in_80_columns_and_as_json()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.HoldLimitedAsync("lim:1", "lim:2", "lim:3");
        await schedule.Operations.PauseHandlerAsync("legacy.job");

        var table = await Tool.RunAsync(schedule, "handlers");
        var json = await Tool.RunAsync(schedule, "handlers", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.All(table.Lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Equal(
            [
                ["HANDLER", "STATE", "MAX", "PER", "KEY", "RATE", "SLOTS", "STARTS", "WAITING", "TIMEOUT"],
                [ScheduleUnderTest.Limited, "active", "1", "-", "20/1h0m", "1", "1", "2", "2m0s"],
                ["legacy.job", "paused", "-", "-", "-", "0", "-", "0", "-"],
            ],
            table.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)));

        Assert.True(json.ExitCode == 0, json.ToString());
        var root = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("handlers", root.GetProperty("kind").GetString());
        var limited = root.GetProperty("items")[0];
        Assert.Equal(ScheduleUnderTest.Limited, limited.GetProperty("handler").GetString());
        Assert.False(limited.GetProperty("paused").GetBoolean());
        Assert.Equal(1, limited.GetProperty("maxConcurrency").GetInt32());
        Assert.Equal(20, limited.GetProperty("rateLimit").GetInt32());
        Assert.Equal(3600, limited.GetProperty("rateLimitWindowSeconds").GetDouble());
        Assert.Equal(120, limited.GetProperty("timeoutSeconds").GetDouble());
        Assert.Equal(3, limited.GetProperty("priority").GetInt32());
        Assert.Equal(1, limited.GetProperty("slotsInUse").GetInt64());
        Assert.Equal(1, limited.GetProperty("startsInWindow").GetInt64());
        Assert.Equal(2, limited.GetProperty("waiting").GetInt64());
        var legacy = root.GetProperty("items")[1];
        Assert.True(legacy.GetProperty("paused").GetBoolean());
        Assert.False(legacy.TryGetProperty("rateLimitWindowSeconds", out _));

        // The two waiting tasks are listed at their due time (now, not 2^50 ms on), marked.
        var pending = await Tool.RunAsync(schedule, "list", "pending");
        Assert.Equal(4, pending.Lines.Length);
        Assert.All(pending.Lines[1..3], l => Assert.Equal(["waiting", "1"], l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^2..]));
        var id = pending.Lines[1].Split(' ')[0];
        var show = await Tool.RunAsync(schedule, "show", id);
        Assert.Contains("state:       pending, waiting for a slot (handler paused or at its limit)", show.Lines);
        var task = JsonDocument.Parse((await Tool.RunAsync(schedule, "show", id, "--json")).Out).RootElement;
        Assert.True(task.GetProperty("waiting").GetBoolean());
        Assert.InRange(task.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(5));
    }

    [Fact]
    public async Task Pause_holds_a_handlers_due_tasks_back_and_resume_runs_them()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);

        var paused = await Tool.RunAsync(schedule, "pause", ScheduleUnderTest.Ok);

        Assert.True(paused.ExitCode == 0, paused.ToString());
        Assert.Equal($"paused handler {ScheduleUnderTest.Ok}: its due tasks wait until 'athomic resume {ScheduleUnderTest.Ok}'\n", paused.Out);
        Assert.Contains(await schedule.Operations.ListHandlersAsync(), h => h is { Handler: ScheduleUnderTest.Ok, IsPaused: true });

        await schedule.ScheduleAsync("held:1", TimeSpan.Zero);
        await schedule.RunWorkerAsync();
        await Eventually.TrueAsync(async () => (await schedule.Operations.ListHandlersAsync()).Single(h => h.Handler == ScheduleUnderTest.Ok).Waiting == 1, "the task waits");
        Assert.NotNull(await schedule.Scheduler.GetAsync("held:1"));

        var resumed = await Tool.RunAsync(schedule, "resume", ScheduleUnderTest.Ok, "--json");

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        var json = JsonDocument.Parse(resumed.Out).RootElement;
        Assert.Equal("resume", json.GetProperty("action").GetString());
        Assert.Equal(ScheduleUnderTest.Ok, json.GetProperty("id").GetString());
        Assert.Equal("resumed", json.GetProperty("result").GetString());
        await Eventually.TrueAsync(async () => await schedule.Scheduler.GetAsync("held:1") is null, "the resumed task ran");
        Assert.DoesNotContain(await schedule.Operations.ListHandlersAsync(), h => h.IsPaused);
    }

    [Fact]
    public async Task Pause_refuses_a_name_that_cannot_be_a_handler_before_asking_redis_and_handlers_says_when_there_are_none()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);

        var bad = await Tool.RunAsync(schedule, "pause", "two words");
        var none = await Tool.RunAsync(schedule, "handlers");

        Assert.Equal(ExitCodes.Usage, bad.ExitCode);
        Assert.Contains("'two words' is not a valid handler name", bad.Error);
        Assert.Empty(await schedule.Operations.ListHandlersAsync());
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal("no handler declares a concurrency or rate limit, and none is paused.\n", none.Out);
    }
}
