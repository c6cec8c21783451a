using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary><c>list pending|inflight|recurring</c>: order, filters, cursors, 80 columns, JSON.</summary>
[Collection(RedisCollection.Name)]
public sealed class ListCommandTests(RedisFixture redis)
{
    [Fact]
    public async Task List_pending_shows_the_soonest_due_first_in_80_columns()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("later", TimeSpan.FromHours(3));
        await schedule.ScheduleAsync("sooner", TimeSpan.FromHours(1));
        await schedule.ScheduleAsync("tenant-42:" + new string('x', 100), TimeSpan.FromHours(2), ScheduleUnderTest.Fail);

        var result = await Tool.RunAsync(schedule, "list", "pending");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.All(result.Lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.Equal(["ID", "HANDLER", "DUE", "(UTC)", "ATT"], result.Lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("sooner ", result.Lines[1]);
        Assert.StartsWith("tenant-42:xxx", result.Lines[2]);
        Assert.Contains("…", result.Lines[2]);
        Assert.StartsWith("later ", result.Lines[3]);
        Assert.Equal("3 of 3 pending tasks", result.Lines[4]);
    }

    [Fact]
    public async Task List_pending_filters_by_handler_and_id_prefix()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        for (var i = 0; i < 6; i++)
        {
            await schedule.ScheduleAsync($"{(i % 2 == 0 ? "even" : "odd")}:{i}", TimeSpan.FromMinutes(10 + i), i < 3 ? ScheduleUnderTest.Ok : ScheduleUnderTest.Fail);
        }

        var byHandler = Ids(await Tool.RunAsync(schedule, "list", "pending", "--handler", ScheduleUnderTest.Fail, "--json"));
        var byPrefix = Ids(await Tool.RunAsync(schedule, "list", "pending", "--prefix", "even:", "--json"));
        var both = await Tool.RunAsync(schedule, "list", "pending", "--prefix", "even:", "--handler", ScheduleUnderTest.Fail);
        var none = await Tool.RunAsync(schedule, "list", "pending", "--prefix", "nothing:");

        Assert.Equal(["odd:3", "even:4", "odd:5"], byHandler);
        Assert.Equal(["even:0", "even:2", "even:4"], byPrefix);
        Assert.StartsWith("even:4 ", both.Lines[1]);
        Assert.Equal("1 shown (6 pending tasks in all)", both.Lines[2]);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal("no matching pending tasks.\n", none.Out);
    }

    [Fact]
    public async Task Paging_with_the_printed_cursor_lists_every_pending_task_once()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        var ids = Enumerable.Range(0, 23).Select(i => $"page:{i:D2}").ToList();
        foreach (var id in ids)
        {
            await schedule.ScheduleAsync(id, TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(ids.IndexOf(id)));
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            string[] args = cursor is null ? ["list", "pending", "--limit", "5", "--json"] : ["list", "pending", "--limit", "5", "--json", "--cursor", cursor];
            var result = await Tool.RunAsync(schedule, args);
            Assert.True(result.ExitCode == 0, result.ToString());
            var page = JsonDocument.Parse(result.Out).RootElement;
            Assert.Equal(23, page.GetProperty("total").GetInt64());
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!));
            cursor = page.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal(ids, seen);
        Assert.Equal(5, pages);
    }

    [Fact]
    public async Task List_inflight_shows_the_lease_deadline_and_the_owner()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.HoldInFlightAsync("held:1");

        var text = await Tool.RunAsync(schedule, "list", "inflight");
        var json = await Tool.RunAsync(schedule, "list", "inflight", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(["ID", "HANDLER", "LEASE", "UNTIL", "(UTC)", "OWNER", "ATT"], text.Lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("held:1 ", text.Lines[1]);
        Assert.Contains(ScheduleUnderTest.Hold, text.Lines[1]);
        var task = Assert.Single(JsonDocument.Parse(json.Out).RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("inflight", task.GetProperty("state").GetString());
        Assert.True(task.GetProperty("leaseDeadline").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Contains(Environment.ProcessId.ToString(), task.GetProperty("owner").GetString());
    }

    [Fact]
    public async Task List_recurring_shows_the_schedule_and_its_next_occurrence()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.Scheduler.AddOrUpdateRecurringAsync("report.daily", new GenericTask(ScheduleUnderTest.Ok, ScheduleUnderTest.Payload(7)), RecurringSchedule.Cron("0 6 * * *"));
        await schedule.Scheduler.AddOrUpdateRecurringAsync("heartbeat", new GenericTask(ScheduleUnderTest.Fail, ReadOnlyMemory<byte>.Empty), RecurringSchedule.Every(TimeSpan.FromMinutes(5)));

        var text = await Tool.RunAsync(schedule, "list", "recurring");
        var json = await Tool.RunAsync(schedule, "list", "recurring", "--handler", ScheduleUnderTest.Ok, "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(["ID", "HANDLER", "SCHEDULE", "NEXT", "(UTC)"], text.Lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(text.Lines, l => l.StartsWith("report.daily ", StringComparison.Ordinal) && l.Contains("cron '0 6 * * *' in UTC"));
        Assert.Contains(text.Lines, l => l.StartsWith("heartbeat ", StringComparison.Ordinal) && l.Contains("every 00:05:00"));
        var item = Assert.Single(JsonDocument.Parse(json.Out).RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("report.daily", item.GetProperty("id").GetString());
        Assert.Equal(6, item.GetProperty("nextOccurrence").GetDateTimeOffset().UtcDateTime.Hour);
    }

    [Fact]
    public async Task Limit_out_of_range_is_a_usage_error()
    {
        var result = await Tool.RunAsync("list", "pending", "--limit", "0", "--redis", redis.ConnectionString);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--limit must be between 1 and 500", result.Error);
    }

    private static string[] Ids(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonDocument.Parse(result.Out).RootElement.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).ToArray();
    }
}
