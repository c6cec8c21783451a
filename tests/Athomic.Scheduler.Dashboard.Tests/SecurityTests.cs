using System.Net;
using System.Text.RegularExpressions;
using Athomic.Scheduler.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;

namespace Athomic.Scheduler.Dashboard.Tests;

/// <summary>
/// Who gets in (a policy, or, when allowed, local requests in Development that did not come through a proxy),
/// anti-forgery on every action, read-only mode, and a dashboard behind a path base. The store does not matter here: the in-memory one keeps them fast.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed partial class SecurityTests(BrowserFixture browser)
{
    [Fact]
    public async Task A_browser_without_the_policys_user_is_refused_and_sees_nothing_of_the_schedule()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings());
        await host.Scheduler.ScheduleAsync(new GenericTask("reminders.send", Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("u1"), "secret-task"), TimeSpan.FromHours(1));

        var anonymous = await browser.NewPageAsync(user: null);
        foreach (var path in new[] { "", "/pending", "/task?id=secret-task", "/assets/dashboard.css" })
        {
            // Through the browser context's own request API: Chromium shows an empty 401 as an error page.
            var response = await anonymous.APIRequest.GetAsync(host.Root + path);
            Assert.Equal(401, response.Status);
            Assert.DoesNotContain("secret-task", await response.TextAsync());
        }

        var admitted = await browser.NewPageAsync();
        Assert.Equal(200, (await admitted.GotoAsync(host.Root + "/task?id=secret-task"))!.Status);
    }

    [Fact]
    public async Task Without_a_policy_only_local_requests_in_Development_get_in_when_allowed()
    {
        await using (var production = await DashboardHost.StartAsync(new HostSettings { Policy = false, LocalAccess = true, Environment = Environments.Production }))
        {
            using var client = new HttpClient();
            var refused = await client.GetAsync(production.Root);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("AuthorizationPolicy", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(production.Root + "/assets/dashboard.css")).StatusCode);
        }

        await using var development = await DashboardHost.StartAsync(new HostSettings { Policy = false, LocalAccess = true, Environment = Environments.Development });
        using var local = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await local.GetAsync(development.Root)).StatusCode);
    }

    [Fact]
    public async Task Without_a_policy_and_without_the_opt_in_a_local_request_in_Development_is_refused()
    {
        await using var development = await DashboardHost.StartAsync(new HostSettings { Policy = false, Environment = Environments.Development });
        using var local = new HttpClient();

        var refused = await local.GetAsync(development.Root);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("AllowLocalRequestsInDevelopment", await refused.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    [InlineData("X-Forwarded-Host", "scheduler.example.com")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("Via", "1.1 proxy")]
    public async Task A_local_request_that_came_through_a_proxy_on_this_machine_is_refused_without_a_policy(string header, string value)
    {
        // A reverse proxy on the same host connects from 127.0.0.1 for every client; what gives it away is its headers.
        await using var development = await DashboardHost.StartAsync(new HostSettings { Policy = false, LocalAccess = true, Environment = Environments.Development });
        using var proxied = new HttpClient();
        proxied.DefaultRequestHeaders.TryAddWithoutValidation(header, value);

        var refused = await proxied.GetAsync(development.Root + "/assets/dashboard.css");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var text = await refused.Content.ReadAsStringAsync();
        Assert.Contains(header, text);
        Assert.Contains("proxy", text);
    }

    [Fact]
    public async Task A_request_whose_forwarding_headers_the_app_applied_is_refused_without_a_policy_even_from_a_local_client()
    {
        // UseForwardedHeaders trusts a loopback proxy: it sets RemoteIpAddress from X-Forwarded-For and leaves X-Original-For.
        await using var development = await DashboardHost.StartAsync(new HostSettings { Policy = false, LocalAccess = true, Environment = Environments.Development, ForwardedHeaders = true });
        using var proxied = new HttpClient();
        proxied.DefaultRequestHeaders.Add("X-Forwarded-For", "127.0.0.1");

        var refused = await proxied.GetAsync(development.Root);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("X-Original-For", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_action_posted_without_an_anti_forgery_token_is_refused_and_changes_nothing()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings());
        await host.Scheduler.ScheduleAsync(new GenericTask("reminders.send", Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("u1"), "keep-me"), TimeSpan.FromHours(1));
        using var client = new HttpClient();
        client.DefaultRequestHeaders.Add(DashboardHost.UserHeader, "operator");

        // A forged form (no token, as a cross-site page would post it)...
        var forged = await client.PostAsync(host.Root + "/action", new FormUrlEncodedContent(new Dictionary<string, string> { ["action"] = "cancel", ["id"] = "keep-me" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("anti-forgery", await forged.Content.ReadAsStringAsync());
        Assert.NotNull(await host.Scheduler.GetAsync("keep-me"));

        // ...and a token taken from the confirmation page, but without its cookie, are both refused.
        var confirm = await client.GetStringAsync(host.Root + "/confirm?action=cancel&id=keep-me");
        var token = TokenField().Match(confirm);
        Assert.True(token.Success, "the confirmation page holds a token");
        using var cookieless = new HttpClient(new HttpClientHandler { UseCookies = false });
        cookieless.DefaultRequestHeaders.Add(DashboardHost.UserHeader, "operator");
        var stolen = await cookieless.PostAsync(host.Root + "/action", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Groups["name"].Value] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["action"] = "cancel",
            ["id"] = "keep-me",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        Assert.NotNull(await host.Scheduler.GetAsync("keep-me"));

        // The same form with the cookie of the session that got the token goes through.
        var posted = await client.PostAsync(host.Root + "/action", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Groups["name"].Value] = WebUtility.HtmlDecode(token.Groups["value"].Value),
            ["action"] = "cancel",
            ["id"] = "keep-me",
        }));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode); // after the 303 to the pending list
        Assert.Null(await host.Scheduler.GetAsync("keep-me"));
    }

    [Fact]
    public async Task Read_only_mode_maps_no_action_and_renders_no_button()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { ReadOnly = true });
        await host.Scheduler.ScheduleAsync(new GenericTask("reminders.send", Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("u1"), "look-only"), TimeSpan.FromHours(1));

        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Root + "/task?id=look-only");
        await Assertions.Expect(page.Locator(".badge")).ToHaveTextAsync("read-only");
        await Assertions.Expect(page.Locator(".actions")).ToHaveCountAsync(0);
        Assert.Equal(404, (await page.APIRequest.GetAsync(host.Root + "/confirm?action=cancel&id=look-only")).Status);
        var post = await page.APIRequest.PostAsync(host.Root + "/action", new() { Form = page.APIRequest.CreateFormData().Append("action", "cancel").Append("id", "look-only") });
        Assert.True(post.Status is 404 or 405, $"status {post.Status}");
        Assert.NotNull(await host.Scheduler.GetAsync("look-only"));
    }

    [Fact]
    public async Task Behind_a_path_base_every_link_and_asset_keeps_it()
    {
        await using var host = await DashboardHost.StartAsync(new HostSettings { PathBase = "/ops" });
        await host.Scheduler.ScheduleAsync(new GenericTask("reminders.send", Athomic.Scheduler.Tests.Shared.TestPayloads.Serialize("u1"), "based"), TimeSpan.FromHours(1));

        var page = await browser.NewPageAsync();
        var css = page.WaitForResponseAsync(r => r.Url.Contains("/assets/dashboard.css", StringComparison.Ordinal));
        await page.GotoAsync(host.Root);
        Assert.StartsWith(host.Root.Replace("/ops/scheduler", "/ops/scheduler/assets/", StringComparison.Ordinal), (await css).Url);
        Assert.Equal(200, (await css).Status);
        foreach (var href in await page.Locator("a[href], form[action]").EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('href') ?? e.getAttribute('action'))"))
        {
            Assert.StartsWith("/ops/scheduler", href);
        }

        await page.ClickAsync("nav a:text-is('Pending')");
        await page.ClickAsync("#tasks a:text-is('based')");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/ops/scheduler/task\\?id=based$"));
        await page.ClickAsync("a.button:text-is('Cancel…')");
        await page.ClickAsync("#confirm");
        await Assertions.Expect(page.Locator(".flash.ok")).ToContainTextAsync("was cancelled");
        Assert.Null(await host.Scheduler.GetAsync("based"));
    }

    [GeneratedRegex("name=\"(?<name>__RequestVerificationToken[^\"]*)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex TokenField();
}
