using System.Text.RegularExpressions;
using Athomic.Scheduler.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>
/// The dashboard in a real headless Chromium against a real Kestrel and redis-server: what an operator sees and
/// does, checked against the store.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture browser, RedisFixture redis)
{
    private static readonly DateTimeOffset Far = DateTimeOffset.UtcNow.AddDays(2);

    [Fact]
    public async Task Overview_shows_the_counts_of_every_partition_and_the_metrics_of_this_process()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, Partitions = 4 });
        await ScheduleAsync(host, 40, "invoices.send", i => $"inv-{i:D3}", i => Far.AddMinutes(i));

        var page = await browser.NewPageAsync();
        var response = await page.GotoAsync(host.Root);

        Assert.Equal(200, response!.Status);
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex("^Overview · Athomic Scheduler$"));
        await Assertions.Expect(page.Locator("#partitions tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator(".card").First).ToContainTextAsync("40");
        await Assertions.Expect(page.Locator("#throughput")).ToContainTextAsync("Completed");
        Assert.Equal("rgb(36, 86, 201)", await page.Locator(".top nav a[aria-current=page]").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        await BrowserFixture.ScreenshotAsync(page, "overview");
    }

    [Fact]
    public async Task Paging_through_ten_thousand_pending_tasks_visits_each_once_in_due_order()
    {
        const int count = 10_000;
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, PageSize = 500 });
        await ScheduleAsync(host, count, "reminders.send", i => $"user:{i:D5}", i => Far.AddSeconds(i));

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root + "/pending");
        var seen = new List<string>();
        var pages = 0;
        while (true)
        {
            pages++;
            await Assertions.Expect(page.Locator(".pager .page")).ToHaveTextAsync($"Page {pages}");
            seen.AddRange(await page.Locator("#tasks td.id a").AllInnerTextsAsync());
            if (pages == 2)
            {
                await BrowserFixture.ScreenshotAsync(page, "pending-page-2");
            }

            var next = page.Locator("a[rel=next]");
            if (await next.CountAsync() == 0)
            {
                break;
            }

            await next.ClickAsync();
        }

        // Keyset paging learns that a full page was the last one only by asking for the next: then an empty page ends it.
        Assert.InRange(pages, count / 500, (count / 500) + 1);
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"user:{i:D5}"), seen);

        // Search: an id prefix narrows the list to its tasks.
        await page.GotoAsync(host.Root + "/pending");
        await page.FillAsync("input[name=prefix]", "user:0001");
        await page.ClickAsync("form.search button[type=submit]");
        await Assertions.Expect(page.Locator("#tasks td.id a")).ToHaveCountAsync(10);
    }

    [Fact]
    public async Task Cancelling_a_task_through_the_page_removes_it_from_the_store()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString });
        await ScheduleAsync(host, 3, "invoices.send", i => $"order:{i}", i => Far.AddMinutes(i));
        Assert.NotNull(await host.Scheduler.GetAsync("order:1"));

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root + "/pending");
        await page.ClickAsync("#tasks a:text-is('order:1')");
        await Assertions.Expect(page.Locator("#task")).ToContainTextAsync("invoices.send");
        await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync("\"customer-1\"");
        await BrowserFixture.ScreenshotAsync(page, "task");
        await page.ClickAsync("a.button:text-is('Cancel…')");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Cancel task?");
        Assert.NotNull(await host.Scheduler.GetAsync("order:1")); // nothing happens before the confirmation
        await page.ClickAsync("#confirm");

        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("Task order:1 was cancelled.");
        Assert.Null(await host.Scheduler.GetAsync("order:1"));
        Assert.NotNull(await host.Scheduler.GetAsync("order:0"));
        await Assertions.Expect(page.Locator("#tasks td.id a")).ToHaveTextAsync(["order:0", "order:2"]);
    }

    [Fact]
    public async Task Requeueing_a_dead_letter_through_the_page_runs_the_task_again()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, Worker = true });
        var id = "charge:" + Guid.NewGuid().ToString("N")[..6];
        TestHandlers.FailCharges = true;
        try
        {
            await host.Scheduler.ScheduleAsync(Task(id, "cards.charge", 7), TimeSpan.Zero);
            await Athomic.Scheduler.Tests.Infrastructure.Eventually.TrueAsync(async () => await host.DeadLetters.GetAsync(id) is not null, TimeSpan.FromSeconds(30), "the failing charge is dead-lettered");
        }
        finally
        {
            TestHandlers.FailCharges = false;
        }

        var ran = TestHandlers.Completed.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root + "/dead");
        await Assertions.Expect(page.Locator("#tasks td.reason")).ToContainTextAsync("declined (test)");
        await page.ClickAsync($"#tasks a:text-is('{id}')");
        await Assertions.Expect(page.Locator("#task pre.error")).ToContainTextAsync("declined (test)");
        await page.ClickAsync("a.button:text-is('Requeue…')");
        await page.ClickAsync("#confirm");

        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Dead letter {id} was requeued");
        Assert.Null(await host.DeadLetters.GetAsync(id));
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Run_now_trigger_and_remove_go_through_their_confirmations_to_the_store()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, Partitions = 2 });
        await ScheduleAsync(host, 1, "invoices.send", _ => "later", _ => Far);
        await host.Scheduler.AddOrUpdateRecurringAsync("nightly", new GenericTask("reports.nightly", ReadOnlyMemory<byte>.Empty), RecurringSchedule.Cron("0 3 * * *"));
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.Root + "/task?id=later");
        await page.ClickAsync("a.button:text-is('Run now…')");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("Task later is due now");
        Assert.True((await host.Scheduler.GetAsync("later"))!.Task.DueAt <= DateTimeOffset.UtcNow.AddSeconds(5));

        await page.ClickAsync("nav a:text-is('Recurring')");
        await page.ClickAsync("#recurring a.button:text-is('Trigger now…')");
        await Assertions.Expect(page.Locator(".subject")).ToContainTextAsync("nightly");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("An extra run was scheduled now as task nightly@");
        var extra = (await page.Locator(".flash.ok").InnerTextAsync()).Split("task ")[1].Split(' ')[0].TrimEnd('.');
        Assert.Equal(ScheduledTaskState.Pending, (await host.Operations.GetTaskAsync(extra))!.Summary.State);

        await page.ClickAsync("#recurring a.button:text-is('Remove…')");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("Recurring schedule nightly was removed");
        await Assertions.Expect(page.Locator("#recurring")).ToHaveCountAsync(0);
        Assert.Empty((await host.Operations.ListRecurringAsync()).Items);
    }

    /// <summary>The screenshot the README shows (docs/images/dashboard-overview.png is a copy of one run's).</summary>
    [Fact]
    public async Task A_populated_schedule_shows_counts_throughput_dead_letters_and_recurring_schedules()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, Partitions = 4, Worker = true });
        await ScheduleAsync(host, 12_000, "invoices.send", i => $"invoice:{i:D5}", i => DateTimeOffset.UtcNow.AddMinutes(5).AddSeconds(i));
        await ScheduleAsync(host, 3_000, "reminders.send", i => $"reminder:{i:D4}", i => DateTimeOffset.UtcNow.AddHours(1).AddSeconds(i));
        await host.Scheduler.AddOrUpdateRecurringAsync("reports.nightly", new GenericTask("reports.nightly", ReadOnlyMemory<byte>.Empty),
            RecurringSchedule.Cron("0 3 * * *", "Europe/Berlin"));
        await host.Scheduler.AddOrUpdateRecurringAsync("digest:ops", new GenericTask("reminders.send", Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("ops")),
            RecurringSchedule.Every(TimeSpan.FromHours(6)));
        TestHandlers.FailCharges = true;
        try
        {
            await ScheduleAsync(host, 7, "cards.charge", i => $"charge:{i}", _ => DateTimeOffset.UtcNow);
            await Athomic.Scheduler.Tests.Infrastructure.Eventually.TrueAsync(async () => (await host.Operations.GetCountsAsync()).Sum(c => c.DeadLetters) == 7, TimeSpan.FromSeconds(30), "seven charges are dead-lettered");
        }
        finally
        {
            TestHandlers.FailCharges = false;
        }

        var start = DateTimeOffset.UtcNow;
        await ScheduleAsync(host, 400, "cards.charge", i => $"paid:{i:D3}", i => start.AddMilliseconds(i * 15));
        await Athomic.Scheduler.Tests.Infrastructure.Eventually.TrueAsync(async () => (await host.Operations.GetCountsAsync()).Sum(c => c.Pending + c.InFlight) <= 15_002, TimeSpan.FromSeconds(30), "the due charges ran");

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root);
        await Assertions.Expect(page.Locator("#partitions tbody tr")).ToHaveCountAsync(4);
        await Assertions.Expect(page.Locator("#throughput tbody tr").First).Not.ToContainTextAsync("Completed 0 ");
        Assert.NotEqual("0", await page.Locator("#throughput tbody tr:first-child td:nth-child(2)").InnerTextAsync());
        await BrowserFixture.ScreenshotAsync(page, "populated-overview");
        await page.ClickAsync("nav a:text-is('Dead letters')");
        await Assertions.Expect(page.Locator("#tasks tbody tr")).ToHaveCountAsync(7);
        await BrowserFixture.ScreenshotAsync(page, "populated-dead-letters");
        await page.ClickAsync("nav a:text-is('Recurring')");
        await Assertions.Expect(page.Locator("#recurring tbody tr")).ToHaveCountAsync(2);
        await BrowserFixture.ScreenshotAsync(page, "populated-recurring");
    }

    private static GenericTask Task(string id, string handler, int i) =>
        new(handler, Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize(new Invoice($"customer-{i}", 10m + i, [$"line {i}"])), id);

    private static async Task ScheduleAsync(DashboardHost host, int count, string handler, Func<int, string> id, Func<int, DateTimeOffset> due)
    {
        for (var start = 0; start < count; start += 1000)
        {
            var batch = Enumerable.Range(start, Math.Min(1000, count - start))
                .Select(i => ScheduleRequest.At(handler == "reminders.send"
                    ? new GenericTask(handler, Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize($"u{i}"), id(i))
                    : Task(id(i), handler, i), due(i)))
                .ToList();
            await host.Scheduler.ScheduleManyAsync(batch);
        }
    }
}
