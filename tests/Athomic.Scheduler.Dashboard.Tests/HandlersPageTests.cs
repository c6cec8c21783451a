using System.Net;
using Athomic.Scheduler.Dashboard.Tests.Infrastructure;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>
/// The Handlers page against a real Kestrel and redis-server: each flow-controlled handler's limits, slots in use,
/// starts in the window, waiting tasks and paused state, and pause and resume through the confirmation page.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class HandlersPageTests(BrowserFixture browser, RedisFixture redis)
{
    private const string Email = FlowTestHandlers.Email;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_page_shows_limits_slots_in_use_waiting_tasks_and_paused_handlers_and_waiting_tasks_show_their_due_time()
    {
        TestHandlers.EmailGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, Worker = true });
            var ids = Enumerable.Range(0, 3).Select(i => $"mail:{Guid.NewGuid():N}:{i}").ToArray();
            var due = DateTimeOffset.UtcNow.AddMinutes(-5);
            await host.Scheduler.ScheduleManyAsync([.. ids.Select(id => ScheduleRequest.At(EmailTask(id), due))]);
            await Task.WhenAny(ids.Select(id => TestHandlers.SignalOf(TestHandlers.Started, id).Task)).WaitAsync(Timeout);
            await Eventually.TrueAsync(async () => await EmailAsync(host) is { SlotsInUse: 1, Waiting: 2 }, Timeout, "one email runs and two wait");
            await host.Operations.PauseHandlerAsync("legacy.import"); // no host knows it (yet)

            var page = await browser.NewPageAsync();
            await page.GotoAsync(host.Root + "/handlers");

            await Assertions.Expect(page.Locator("nav a[aria-current=page]")).ToHaveTextAsync("Handlers");
            await Assertions.Expect(page.Locator("#handlers tbody tr")).ToHaveCountAsync(2);
            await Assertions.Expect(Cells(page, Email)).ToHaveTextAsync([Email, "active", "1", "–", "50 per 1 min", "1", "1", "2", "5 min", "5", "Pause…"]);
            await Assertions.Expect(Cells(page, "legacy.import")).ToHaveTextAsync(["legacy.import", "paused", "–", "–", "–", "0", "–", "0", "–", "0", "Resume…"]);
            await BrowserFixture.ScreenshotAsync(page, "handlers");

            // The waiting count leads to the handler's pending tasks: the waiting ones are marked, at their real due time.
            await Cells(page, Email).Locator("a:text-is('2')").ClickAsync();
            await Assertions.Expect(page.Locator("#tasks tbody tr")).ToHaveCountAsync(2);
            await Assertions.Expect(page.Locator("#tasks .state.waiting")).ToHaveCountAsync(2);
            foreach (var datetime in await page.Locator("#tasks time").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('datetime'))"))
            {
                Assert.Equal(due.ToUnixTimeMilliseconds(), DateTimeOffset.Parse(datetime, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
            }

            await page.Locator("#tasks td.id a").First.ClickAsync();
            await Assertions.Expect(page.Locator("#task .state.waiting")).ToHaveTextAsync("waiting for a slot");
            await Assertions.Expect(page.Locator(".actions a.button")).ToHaveTextAsync(["Cancel…"]); // it is due already: no "run now"
            await BrowserFixture.ScreenshotAsync(page, "waiting-task");

            TestHandlers.EmailGate.TrySetResult();
            await Task.WhenAll(ids.Select(id => TestHandlers.SignalOf(TestHandlers.Completed, id).Task)).WaitAsync(Timeout);
        }
        finally
        {
            TestHandlers.EmailGate.TrySetResult();
        }
    }

    [Fact]
    public async Task Pause_and_resume_go_through_their_confirmations_and_a_paused_handlers_task_waits_until_the_resume()
    {
        TestHandlers.EmailGate = TestHandlers.Open();
        await using var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, Worker = true });
        await Eventually.TrueAsync(async () => (await host.Operations.ListHandlersAsync()).Any(h => h.Handler == Email), Timeout, "the worker published its limits");
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root);
        await page.ClickAsync("nav a:text-is('Handlers')");

        await Cells(page, Email).Locator("a.button:text-is('Pause…')").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Pause handler?");
        await Assertions.Expect(page.Locator(".subject")).ToHaveTextAsync($"Handler {Email}");
        Assert.False((await EmailAsync(host)).IsPaused); // nothing happens before the confirmation
        await page.ClickAsync("#confirm");

        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Handler {Email} is paused");
        await Assertions.Expect(Cells(page, Email).Nth(1)).ToHaveTextAsync("paused");
        Assert.True((await EmailAsync(host)).IsPaused);

        // A task due now waits: it is not started while the handler is paused.
        var id = $"mail:{Guid.NewGuid():N}";
        await host.Scheduler.ScheduleAsync(EmailTask(id), TimeSpan.Zero);
        await Eventually.TrueAsync(async () => (await EmailAsync(host)).Waiting == 1, Timeout, "the email waits");
        Assert.False(TestHandlers.Started.ContainsKey(id));
        await page.ReloadAsync();
        await Assertions.Expect(Cells(page, Email).Nth(7)).ToHaveTextAsync("1");

        await Cells(page, Email).Locator("a.button:text-is('Resume…')").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Resume handler?");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync($"Handler {Email} is resumed");
        await TestHandlers.SignalOf(TestHandlers.Completed, id).Task.WaitAsync(Timeout);
        Assert.False((await EmailAsync(host)).IsPaused);

        // A handler no host runs yet is paused by name.
        await page.FillAsync("#pause-by-name input[name=id]", "billing.v2");
        await page.ClickAsync("#pause-by-name button[type=submit]");
        await Assertions.Expect(page.Locator(".subject")).ToHaveTextAsync("Handler billing.v2");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("Handler billing.v2 is paused");
        await Assertions.Expect(Cells(page, "billing.v2").Nth(1)).ToHaveTextAsync("paused");
        Assert.Contains(await host.Operations.ListHandlersAsync(), h => h is { Handler: "billing.v2", IsPaused: true });

        // A name that cannot be a handler's is refused with the reason, and nothing is paused.
        await page.FillAsync("#pause-by-name input[name=id]", "two words");
        await page.ClickAsync("#pause-by-name button[type=submit]");
        var refused = page.WaitForResponseAsync(r => r.Url.EndsWith("/action", StringComparison.Ordinal));
        await page.ClickAsync("#confirm");
        Assert.Equal(400, (await refused).Status);
        await Assertions.Expect(page.Locator(".notice")).ToContainTextAsync("The action was not carried out: The handler name 'two words' is invalid");
        Assert.Equal(["billing.v2", Email], (await host.Operations.ListHandlersAsync()).Select(h => h.Handler));
    }

    [Fact]
    public async Task The_page_keeps_the_dashboards_rules_read_only_shows_no_action_and_a_store_without_flow_control_says_so()
    {
        // Anonymous requests are refused, and a pause posted without the anti-forgery token changes nothing.
        await using (var host = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString }))
        {
            using var anonymous = new HttpClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(host.Root + "/handlers")).StatusCode);
            using var client = Operator();
            var forged = await client.PostAsync(host.Root + "/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "pause-handler", ["id"] = Email }));
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Empty(await host.Operations.ListHandlersAsync());
            var confirm = await client.GetStringAsync(host.Root + "/confirm?action=pause-handler&id=" + Email);
            Assert.Contains("Pause handler?", confirm);
        }

        await using (var readOnly = await DashboardHost.StartAsync(new HostSettings { Redis = redis.ConnectionString, ReadOnly = true }))
        {
            await readOnly.Operations.PauseHandlerAsync(Email);
            await readOnly.Operations.PauseHandlerAsync("<i>odd</i>"); // a valid name: shown encoded
            using var client = Operator();
            var html = await client.GetStringAsync(readOnly.Root + "/handlers");
            Assert.Contains($"<td class=\"id\">{Email}</td>", html);
            Assert.Contains("<td class=\"id\">&lt;i&gt;odd&lt;/i&gt;</td>", html);
            Assert.DoesNotContain("<i>odd</i>", html);
            Assert.Contains("paused", html);
            Assert.DoesNotContain("Resume…", html);
            Assert.DoesNotContain("pause-by-name", html);
            Assert.DoesNotContain("<th>Actions</th>", html);
        }

        await using var inMemory = await DashboardHost.StartAsync(new HostSettings());
        using (var client = Operator())
        {
            var response = await client.GetAsync(inMemory.Root + "/handlers");
            Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<h1>Handlers</h1>", html);
            Assert.Contains("flow control is available on the Redis store", html);
        }
    }

    private static ILocator Cells(IPage page, string handler) =>
        page.Locator($"#handlers tbody tr:has(td.id:text-is('{handler}')) td");

    private static GenericTask EmailTask(string id) => new(Email, Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("ada@example.com"), id);

    private static async Task<HandlerFlowInfo> EmailAsync(DashboardHost host) =>
        (await host.Operations.ListHandlersAsync()).Single(h => h.Handler == Email);

    private static HttpClient Operator()
    {
        var client = new HttpClient();
        client.DefaultRequestHeaders.Add(DashboardHost.UserHeader, "operator");
        return client;
    }
}
