using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Tests.Api;

/// <summary>The public <see cref="IScheduler"/> over the Redis store: happy paths and refused input (nothing written).</summary>
[Collection(RedisCollection.Name)]
public sealed class SchedulerApiTests(RedisFixture redis)
{
    private static GenericTask Task(string? id = null, int payloadBytes = 4) => new(RecordingRegistry.Record, new byte[payloadBytes], id);

    private (IScheduler Scheduler, string Prefix, IDisposable Host) Create(Action<SchedulerOptions>? configure = null)
    {
        var prefix = RedisFixture.NewPrefix();
        var host = Hosts.Redis(redis.Connection, prefix, new RecordingRegistry(), o =>
        {
            o.Worker.Enabled = false;
            o.MaxPayloadBytes = 1024;
            configure?.Invoke(o);
        });
        return (host.Services.GetRequiredService<IScheduler>(), prefix, host);
    }

    [Fact]
    public async Task Schedule_get_and_cancel_by_id()
    {
        var (scheduler, _, host) = Create();
        using var _ = host;

        var generated = await scheduler.ScheduleAsync(Task(), TimeSpan.FromMinutes(5));
        var chosen = await scheduler.ScheduleAtAsync(Task(), DateTimeOffset.UtcNow.AddHours(1), taskId: "trial:42");
        var info = await scheduler.GetAsync("trial:42");

        Assert.Matches("^[0-9a-f]{32}$", generated);
        Assert.Equal("trial:42", chosen);
        Assert.Equal(ScheduledTaskState.Pending, info!.State);
        Assert.Equal(RecordingRegistry.Record, info.Task.Handler);
        Assert.InRange(info.Task.DueAt!.Value, DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.True(await scheduler.CancelAsync("trial:42"));
        Assert.False(await scheduler.CancelAsync("trial:42"));
        Assert.Null(await scheduler.GetAsync("trial:42"));
        Assert.NotNull(await scheduler.GetAsync(generated));
    }

    [Fact]
    public async Task Delay_is_turned_into_a_due_time_on_the_server_clock()
    {
        var (scheduler, prefix, host) = Create();
        using var _ = host;
        var serverNow = DateTimeOffset.FromUnixTimeMilliseconds((long)(await redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]).TimeAsync() - DateTime.UnixEpoch).TotalMilliseconds);

        await scheduler.ScheduleAsync(Task("d"), TimeSpan.FromMinutes(10));
        var score = await redis.Connection.GetDatabase().SortedSetScoreAsync("{" + prefix + "}:pending", "d");

        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds((long)score!.Value) - serverNow, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10.1));
    }

    [Fact]
    public async Task Rescheduling_by_id_moves_the_task_and_refuse_policy_reports_it_exists()
    {
        var (scheduler, _, host) = Create();
        using var _ = host;
        await scheduler.ScheduleAsync(Task(), TimeSpan.FromHours(1), "same");
        await scheduler.ScheduleAsync(Task(), TimeSpan.FromHours(2), "same");
        var results = await scheduler.ScheduleManyAsync(
        [
            new ScheduleRequest(Task("same"), Delay: TimeSpan.FromHours(3), Policy: ExistingTaskPolicy.Refuse),
            new ScheduleRequest(Task("other"), Delay: TimeSpan.FromHours(3), Policy: ExistingTaskPolicy.Refuse),
            ScheduleRequest.At(Task("same"), DateTimeOffset.UtcNow.AddHours(4)),
        ]);

        Assert.Equal([ScheduleStatus.AlreadyExists, ScheduleStatus.Scheduled, ScheduleStatus.Rescheduled], results.Select(r => r.Status));
        Assert.InRange((await scheduler.GetAsync("same"))!.Task.DueAt!.Value, DateTimeOffset.UtcNow.AddHours(3.9), DateTimeOffset.UtcNow.AddHours(4.1));
    }

    public static TheoryData<string, Func<IScheduler, Task>> BadInput => new()
    {
        { "negative delay", s => s.ScheduleAsync(Task(), TimeSpan.FromSeconds(-1)) },
        { "overflowing delay", s => s.ScheduleAsync(Task(), TimeSpan.MaxValue) },
        { "default execution time", s => s.ScheduleAtAsync(Task(), default) },
        { "execution time beyond the limit", s => s.ScheduleAtAsync(Task(), DateTimeOffset.MaxValue) },
        { "payload over the limit", s => s.ScheduleAsync(Task(payloadBytes: 1025), TimeSpan.Zero) },
        { "task id with a brace", s => s.ScheduleAsync(Task(), TimeSpan.Zero, "a{b}") },
        { "task id with whitespace", s => s.ScheduleAsync(Task(), TimeSpan.Zero, "a b") },
        { "empty task id", s => s.ScheduleAsync(Task(), TimeSpan.Zero, string.Empty) },
        { "over-long task id", s => s.ScheduleAsync(Task(), TimeSpan.Zero, new string('x', 257)) },
        { "empty handler", _ => System.Threading.Tasks.Task.FromResult(new GenericTask(string.Empty, default)) },
        { "null handler", _ => System.Threading.Tasks.Task.FromResult(new GenericTask(null!, default)) },
        { "batch with neither delay nor time", s => s.ScheduleManyAsync([ScheduleRequest.After(Task("ok"), TimeSpan.Zero), new ScheduleRequest(Task("bad"))]) },
        { "cancel with an invalid id", s => s.CancelAsync("*") },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task Bad_input_is_refused_with_an_ArgumentException_and_nothing_is_written(string name, Func<IScheduler, Task> call)
    {
        var (scheduler, prefix, host) = Create();
        using var _ = host;

        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => call(scheduler));

        Assert.False(string.IsNullOrWhiteSpace(ex.Message), name);
        Assert.Empty(await redis.LeftoverKeysAsync(prefix));
    }
}
