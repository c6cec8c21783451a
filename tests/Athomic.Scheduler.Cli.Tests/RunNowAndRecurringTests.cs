using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary><c>run-now</c> (tasks and recurring schedules) and <c>remove-recurring</c>.</summary>
[Collection(RedisCollection.Name)]
public sealed class RunNowAndRecurringTests(RedisFixture redis)
{
    [Fact]
    public async Task Run_now_makes_a_pending_task_due_now()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("later:1", TimeSpan.FromHours(5));

        var result = await Tool.RunAsync(schedule, "run-now", "later:1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("later:1 is due now\n", result.Out);
        var due = (await schedule.Scheduler.GetAsync("later:1"))!.Task.DueAt!.Value;
        Assert.True(due <= DateTimeOffset.UtcNow.AddSeconds(5), $"due {due:O}");
    }

    [Fact]
    public async Task Run_now_of_a_recurring_schedule_id_triggers_one_extra_occurrence()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.Scheduler.AddOrUpdateRecurringAsync("nightly", new GenericTask(ScheduleUnderTest.Ok, ScheduleUnderTest.Payload(3)), RecurringSchedule.Cron("0 2 * * *"));

        var result = await Tool.RunAsync(schedule, "run-now", "nightly", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("triggered", json.GetProperty("result").GetString());
        var taskId = json.GetProperty("taskId").GetString()!;
        Assert.StartsWith("nightly@manual-", taskId);
        var task = await schedule.Scheduler.GetAsync(taskId);
        Assert.Equal(ScheduleUnderTest.Ok, task?.Task.Handler);
    }

    [Fact]
    public async Task Run_now_exits_1_for_an_unknown_id_and_4_for_a_running_task()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.HoldInFlightAsync("busy:1");

        var unknown = await Tool.RunAsync(schedule, "run-now", "nobody");
        var running = await Tool.RunAsync(schedule, "run-now", "busy:1");

        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains("no pending task or recurring schedule", unknown.Error);
        Assert.Equal(ExitCodes.Refused, running.ExitCode);
        Assert.Contains("already running", running.Error);
    }

    [Fact]
    public async Task Remove_recurring_removes_the_schedule_and_exits_1_when_it_is_gone()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.Scheduler.AddOrUpdateRecurringAsync("cleanup", new GenericTask(ScheduleUnderTest.Ok, ReadOnlyMemory<byte>.Empty), RecurringSchedule.Every(TimeSpan.FromHours(1)));

        var removed = await Tool.RunAsync(schedule, "remove-recurring", "cleanup");
        var again = await Tool.RunAsync(schedule, "remove-recurring", "cleanup");
        var list = await Tool.RunAsync(schedule, "list", "recurring");

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal("removed recurring schedule cleanup\n", removed.Out);
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Equal("no recurring schedules.\n", list.Out);
    }
}
