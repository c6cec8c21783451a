using System.Diagnostics;
using Athomic.Scheduler.Dashboard.Tests.Infrastructure;
using Athomic.Scheduler.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>
/// The dashboard on a real 3-master Redis Cluster with 4 partitions, and with 1,000,000 pending tasks (page load
/// times measured in the browser and printed).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ClusterAndScaleTests(BrowserFixture browser, ITestOutputHelper output)
{
    [Fact]
    public async Task On_a_three_master_cluster_with_four_partitions_the_dashboard_counts_pages_and_cancels()
    {
        const int count = 2_000;
        await using var cluster = await RedisCluster.StartAsync();
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = cluster.ConnectionString, Partitions = 4, PageSize = 500 });
        var due = DateTimeOffset.UtcNow.AddDays(1);
        await Fill.ScheduleAsync(host.Scheduler, count, i => $"c{i:D4}", i => due.AddSeconds(i));

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root);
        await Assertions.Expect(page.Locator("#partitions tbody tr")).ToHaveCountAsync(4);
        var perPartition = await page.Locator("#partitions tbody tr td:nth-child(2)").AllInnerTextsAsync();
        Assert.Equal(count, perPartition.Sum(t => int.Parse(t, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(perPartition, t => Assert.NotEqual("0", t)); // the ids spread over all four partitions
        await BrowserFixture.ScreenshotAsync(page, "cluster-overview");

        // The pending list merges the four partitions in due order, page by page.
        await page.GotoAsync(host.Root + "/pending");
        var seen = new List<string>();
        var pages = 0;
        while (true)
        {
            // The pager follows the table: once it shows this page's number, every row of the page has been parsed
            // (reading right after the click could see a page still loading: 436 of its 500 rows, seen once in CI).
            pages++;
            await Assertions.Expect(page.Locator(".pager .page")).ToHaveTextAsync($"Page {pages}");
            seen.AddRange(await page.Locator("#tasks td.id a").AllInnerTextsAsync());
            var next = page.Locator("a[rel=next]");
            if (await next.CountAsync() == 0)
            {
                break;
            }

            await next.ClickAsync();
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"c{i:D4}"), seen);

        await page.GotoAsync(host.Root + "/task?id=c0042");
        await page.ClickAsync("a.button:text-is('Cancel…')");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("Task c0042 was cancelled.");
        Assert.Null(await host.Scheduler.GetAsync("c0042"));
        Assert.Equal(count - 1, (await host.Operations.GetCountsAsync()).Sum(c => c.Pending));
    }

    /// <summary>
    /// 1,000,000 pending tasks (ScheduleManyAsync, 1,000 per script call) on one redis-server: the overview, the pending
    /// list (first page, the pages after it, a search) and a task page load in well under a second each. The figures are
    /// printed (<c>--logger "console;verbosity=detailed"</c>) and written to <c>screenshots/million.txt</c>.
    /// </summary>
    [Fact]
    [Trait("Category", "Scale")]
    public async Task With_a_million_pending_tasks_every_page_loads_quickly()
    {
        const int count = 1_000_000;
        await using var redis = await RedisServer.StartAsync();
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString });
        var due = DateTimeOffset.UtcNow.AddDays(1);
        var fill = Stopwatch.StartNew();
        await Fill.ScheduleAsync(host.Scheduler, count, i => $"t{i:D7}", i => due.AddMilliseconds(i * 10));
        fill.Stop();
        Assert.Equal(count, (await host.Operations.GetCountsAsync()).Sum(c => c.Pending));

        var page = await browser.NewPageAsync();
        var report = new List<string> { $"filled {count:N0} pending tasks in {fill.Elapsed.TotalSeconds:F1} s" };
        async Task<double> LoadAsync(string what, Func<Task> navigate, int rounds = 5)
        {
            var times = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var clock = Stopwatch.StartNew();
                await navigate();
                times.Add(clock.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            var median = times[times.Count / 2];
            report.Add($"{what}: median {median:F0} ms, max {times[^1]:F0} ms over {rounds} loads");
            return median;
        }

        var overview = await LoadAsync("overview", () => page.GotoAsync(host.Root));
        await Assertions.Expect(page.Locator(".card .value").First).ToHaveTextAsync("1,000,000");
        var first = await LoadAsync("pending, first page (50 rows)", () => page.GotoAsync(host.Root + "/pending"));
        var next = await LoadAsync("pending, Next page", () => page.ClickAsync("a[rel=next]"), rounds: 10);
        await Assertions.Expect(page.Locator(".pager .page")).ToHaveTextAsync("Page 11");
        var search = await LoadAsync("pending, search by id prefix", () => page.GotoAsync(host.Root + "/pending?prefix=t00000"));
        var task = await LoadAsync("task page", () => page.GotoAsync(host.Root + "/task?id=t0500000"));
        await BrowserFixture.ScreenshotAsync(page, "million-task");

        foreach (var line in report)
        {
            output.WriteLine("million: " + line);
        }

        await File.WriteAllLinesAsync(Path.Combine(BrowserFixture.ScreenshotDirectory, "million.txt"), report);
        Assert.All(new[] { overview, first, next, search, task }, ms => Assert.True(ms < 2_000, string.Join(Environment.NewLine, report)));
    }
}

/// <summary>Fills a schedule quickly: ScheduleManyAsync in chunks (the library sends 1,000 tasks per script call).</summary>
internal static class Fill
{
    public static async Task ScheduleAsync(IScheduler scheduler, int count, Func<int, string> id, Func<int, DateTimeOffset> due)
    {
        var payload = Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("x");
        const int chunk = 10_000;
        var inFlight = new List<Task>();
        for (var start = 0; start < count; start += chunk)
        {
            var requests = Enumerable.Range(start, Math.Min(chunk, count - start))
                .Select(i => ScheduleRequest.At(new GenericTask("reminders.send", payload, id(i)), due(i)))
                .ToList();
            inFlight.Add(scheduler.ScheduleManyAsync(requests));
            if (inFlight.Count == 4)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight);
    }
}
