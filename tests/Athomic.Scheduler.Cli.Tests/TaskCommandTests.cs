using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary><c>show</c> and <c>cancel</c> of pending and in-flight tasks.</summary>
[Collection(RedisCollection.Name)]
public sealed class TaskCommandTests(RedisFixture redis)
{
    [Fact]
    public async Task Show_prints_state_handler_attempt_due_time_and_payload()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("trial:42", TimeSpan.FromHours(2), user: 42);

        var text = await Tool.RunAsync(schedule, "show", "trial:42");
        var json = await Tool.RunAsync(schedule, "show", "trial:42", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal("id:          trial:42", text.Lines[0]);
        Assert.Contains("state:       pending", text.Out);
        Assert.Contains("handler:     " + ScheduleUnderTest.Ok, text.Out);
        Assert.Contains("attempt:     1", text.Out);
        Assert.Matches(@"due:         \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 1h5\dm\)", text.Out);
        Assert.Contains("""payload:     {"user":42,"plan":"pro"}""", text.Out);
        var task = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("trial:42", task.GetProperty("id").GetString());
        Assert.Equal(42, task.GetProperty("payload").GetProperty("user").GetInt32());
        var due = task.GetProperty("dueAt").GetDateTimeOffset();
        Assert.InRange(due, DateTimeOffset.UtcNow.AddMinutes(110), DateTimeOffset.UtcNow.AddMinutes(121));
    }

    [Fact]
    public async Task Show_of_a_payload_that_is_not_MessagePack_gives_its_bytes_and_says_why()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        byte[] cut = [0x92, 0x01]; // an array of two items with one
        await schedule.Scheduler.ScheduleAsync(new GenericTask(ScheduleUnderTest.Ok, cut, "cut:1"), TimeSpan.FromHours(1));

        var text = await Tool.RunAsync(schedule, "show", "cut:1");
        var json = await Tool.RunAsync(schedule, "show", "cut:1", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        var payloadLine = string.Join(' ', text.Lines.SkipWhile(l => !l.StartsWith("payload:", StringComparison.Ordinal)).Select(l => l.Trim()));
        Assert.Equal("payload:     base64 kgE= (2 bytes, not shown as JSON: The payload is cut short: its 2 bytes end inside a value.)", payloadLine);
        var task = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("kgE=", task.GetProperty("payloadBase64").GetString());
        Assert.Equal("The payload is cut short: its 2 bytes end inside a value.", task.GetProperty("payloadProblem").GetString());
        Assert.False(task.TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task Show_wraps_a_long_value_under_itself_within_80_columns()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        var id = "tenant:" + string.Concat(Enumerable.Range(0, 15).Select(i => $"segment{i}/"));
        await schedule.ScheduleAsync(id, TimeSpan.FromHours(1));

        var result = await Tool.RunAsync(schedule, "show", id);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(result.Lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        var idLines = result.Lines.TakeWhile(l => !l.StartsWith("state:", StringComparison.Ordinal)).ToArray();
        Assert.True(idLines.Length > 1);
        Assert.All(idLines.Skip(1), l => Assert.StartsWith(new string(' ', 13), l));
        Assert.Equal(id, string.Concat(idLines.Select(l => l[13..])));
    }

    [Fact]
    public async Task Show_of_an_unknown_id_exits_1_and_an_invalid_id_exits_2()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);

        var unknown = await Tool.RunAsync(schedule, "show", "nope");
        var invalid = await Tool.RunAsync(schedule, "show", "a{b}");

        Assert.Equal(ExitCodes.NotFound, unknown.ExitCode);
        Assert.Contains("no task", unknown.Error);
        Assert.Equal(string.Empty, unknown.Out);
        Assert.Equal(ExitCodes.Usage, invalid.ExitCode);
        Assert.Contains("not a valid task id", invalid.Error);
    }

    [Fact]
    public async Task Cancel_removes_a_pending_task_and_exits_1_the_second_time()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("cancel:1", TimeSpan.FromHours(1));

        var cancelled = await Tool.RunAsync(schedule, "cancel", "cancel:1");
        var again = await Tool.RunAsync(schedule, "cancel", "cancel:1", "--json");

        Assert.True(cancelled.ExitCode == 0, cancelled.ToString());
        Assert.Equal("cancelled cancel:1\n", cancelled.Out);
        Assert.Null(await schedule.Scheduler.GetAsync("cancel:1"));
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Equal("not-found", JsonDocument.Parse(again.Out).RootElement.GetProperty("result").GetString());
    }

    [Fact]
    public async Task Cancel_of_a_running_task_is_refused_with_exit_4_and_show_says_inflight()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.HoldInFlightAsync("running:1");

        var cancel = await Tool.RunAsync(schedule, "cancel", "running:1");
        var show = await Tool.RunAsync(schedule, "show", "running:1");

        Assert.Equal(ExitCodes.Refused, cancel.ExitCode);
        Assert.Contains("is running", cancel.Error);
        Assert.Contains("state:       inflight", show.Out);
    }
}
