using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary><c>list dead</c>, <c>show</c> of a dead letter, <c>requeue</c> and <c>purge-dead</c> on dead letters a real worker wrote.</summary>
[Collection(RedisCollection.Name)]
public sealed class DeadLetterCommandTests(RedisFixture redis)
{
    [Fact]
    public async Task List_dead_shows_id_handler_attempts_and_reason_in_80_columns_and_pages_with_a_cursor()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        var longId = "invoice:" + new string('9', 90);
        await schedule.DeadLetterAsync("dead:1", "dead:2", longId);

        var first = await Tool.RunAsync(schedule, "list", "dead", "--limit", "2");

        Assert.True(first.ExitCode == 0, first.ToString());
        // Every line fits but the cursor's, which holds a whole task id (it is never cut: it is pasted back).
        Assert.All(first.Lines.Where(l => !l.StartsWith("next page: ", StringComparison.Ordinal)), l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Equal(["ID", "HANDLER", "FAILED", "(UTC)", "ATT", "REASON"], first.Lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(5, first.Lines.Length); // header, 2 rows, counts, cursor
        Assert.Equal("2 of 3 dead letters", first.Lines[3]);
        Assert.StartsWith("next page: --cursor ", first.Lines[4]);
        var cursor = first.Lines[4]["next page: --cursor ".Length..];
        var cut = Assert.Single(first.Lines, l => l.StartsWith("invoice:999", StringComparison.Ordinal));
        Assert.Contains("…", cut);
        Assert.Contains(ScheduleUnderTest.Fail, cut);
        Assert.Contains("boom", cut); // the table drops the exception type, so the message shows

        var second = await Tool.RunAsync(schedule, "list", "dead", "--limit", "2", "--cursor", cursor);
        Assert.Equal(3, second.Lines.Length); // header, the last row, counts
        Assert.DoesNotContain(second.Lines[1].Split(' ')[0], first.Out);
        Assert.DoesNotContain("next page", second.Out);
    }

    [Fact]
    public async Task List_dead_json_has_every_field_whole()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.DeadLetterAsync("dead:json");

        var result = await Tool.RunAsync(schedule, "list", "dead", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var page = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal("dead", page.GetProperty("kind").GetString());
        Assert.Equal(1, page.GetProperty("total").GetInt64());
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("dead:json", item.GetProperty("id").GetString());
        Assert.Equal("dead", item.GetProperty("state").GetString());
        Assert.Equal(ScheduleUnderTest.Fail, item.GetProperty("handler").GetString());
        Assert.Equal(1, item.GetProperty("attempt").GetInt32());
        Assert.Contains("boom: dead:json failed", item.GetProperty("reason").GetString());
        Assert.True(item.GetProperty("failedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.False(page.TryGetProperty("nextCursor", out _));
    }

    [Fact]
    public async Task Show_of_a_dead_letter_prints_the_reason_and_the_payload_as_json()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.DeadLetterAsync("dead:show");

        var text = await Tool.RunAsync(schedule, "show", "dead:show");
        var json = await Tool.RunAsync(schedule, "show", "dead:show", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("state:       dead", text.Out);
        Assert.Contains("reason:      ", text.Out);
        Assert.Contains("boom: dead:show failed", text.Out);
        Assert.Contains("""payload:     {"user":1,"plan":"pro"}""", text.Out);
        var payload = JsonDocument.Parse(json.Out).RootElement.GetProperty("payload");
        Assert.Equal("pro", payload.GetProperty("plan").GetString());
    }

    [Fact]
    public async Task Requeue_of_one_id_makes_it_pending_again_and_exit_codes_tell_not_found_and_already_scheduled()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.DeadLetterAsync("dead:a", "dead:b");
        await schedule.ScheduleAsync("dead:b", TimeSpan.FromHours(1)); // the id is in use again: requeue must keep the dead letter

        var requeued = await Tool.RunAsync(schedule, "requeue", "dead:a");
        var again = await Tool.RunAsync(schedule, "requeue", "dead:a");
        var refused = await Tool.RunAsync(schedule, "requeue", "dead:b", "--json");

        Assert.True(requeued.ExitCode == 0, requeued.ToString());
        Assert.Equal("requeued dead:a\n", requeued.Out);
        Assert.Equal(ScheduledTaskState.Pending, (await schedule.Scheduler.GetAsync("dead:a"))?.State);
        Assert.Null(await schedule.DeadLetters.GetAsync("dead:a"));
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        Assert.Contains("no dead letter with id 'dead:a'", again.Error);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Equal("already-scheduled", JsonDocument.Parse(refused.Out).RootElement.GetProperty("result").GetString());
        Assert.NotNull(await schedule.DeadLetters.GetAsync("dead:b"));
    }

    [Fact]
    public async Task Requeue_all_requeues_every_dead_letter_but_those_whose_id_is_scheduled()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.DeadLetterAsync("all:1", "all:2", "all:3");
        await schedule.ScheduleAsync("all:2", TimeSpan.FromHours(1));

        var result = await Tool.RunAsync(schedule, "requeue", "--all", "--json");
        var nothing = await Tool.RunAsync(schedule, "purge-dead", "all:1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, JsonDocument.Parse(result.Out).RootElement.GetProperty("count").GetInt64());
        Assert.Equal("all:2", Assert.Single((await schedule.DeadLetters.ListAsync()).Items).TaskId);
        Assert.Equal(ScheduledTaskState.Pending, (await schedule.Scheduler.GetAsync("all:3"))?.State);
        Assert.Equal(ExitCodes.NotFound, nothing.ExitCode);
    }

    [Fact]
    public async Task Requeue_needs_an_id_or_all_but_not_both()
    {
        var neither = await Tool.RunAsync("requeue", "--redis", redis.ConnectionString);
        var both = await Tool.RunAsync("requeue", "x", "--all", "--redis", redis.ConnectionString);

        Assert.Equal(ExitCodes.Usage, neither.ExitCode);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("either a task id or --all", both.Error);
    }

    [Fact]
    public async Task Purge_dead_deletes_one_or_all_and_exits_1_when_there_is_nothing()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.DeadLetterAsync("purge:1", "purge:2", "purge:3");

        var one = await Tool.RunAsync(schedule, "purge-dead", "purge:1");
        var all = await Tool.RunAsync(schedule, "purge-dead");
        var none = await Tool.RunAsync(schedule, "purge-dead", "--json");

        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal("purged 2 dead letters\n", all.Out);
        Assert.Equal(0, (await schedule.DeadLetters.ListAsync()).Total);
        Assert.Equal(ExitCodes.NotFound, none.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(none.Out).RootElement.GetProperty("count").GetInt64());
    }
}
