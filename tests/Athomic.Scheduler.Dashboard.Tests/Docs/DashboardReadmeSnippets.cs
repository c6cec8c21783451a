using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Dashboard.Tests.Docs;

/// <summary>In the docs, "MyApp" stands for the reader's assembly; here it is this test assembly.</summary>
internal static class MyAppRegistration
{
    public static Hosting.SchedulerBuilder AddScheduledHandlersFromMyApp(this Hosting.SchedulerBuilder builder) =>
        builder.AddScheduledHandlersFromAthomicSchedulerDashboardTests();
}

/// <summary>
/// The dashboard block of docs/operations.md, verbatim (tests/Athomic.Scheduler.EndToEnd.Tests/Docs/ReadmeTests.cs
/// finds it here, where ASP.NET Core is referenced), run against redis-server: the policy shuts out a request without a
/// user.
/// </summary>
[Collection(Infrastructure.BrowserCollection.Name)]
public sealed class DashboardReadmeSnippets(Infrastructure.RedisFixture redis)
{
    [Fact]
    public async Task The_READMEs_setup_maps_a_dashboard_that_requires_its_policy()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication().AddCookie();
        builder.Configuration["Athomic:Scheduler:RedisConnectionString"] = redis.ConnectionString;
        await using var app = Build(builder);
        await app.StartAsync();
        var root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var response = await client.GetAsync(root + "/scheduler");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode); // the cookie scheme's challenge: to its login page
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
        await app.StopAsync();
    }

    private static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.Services.AddAthomicScheduler(builder.Configuration.GetSection("Athomic:Scheduler")).UseRedis().AddScheduledHandlersFromMyApp();
        builder.Services.AddAthomicSchedulerDashboard(o => o.AuthorizationPolicy = "SchedulerAdmins");
        builder.Services.AddAuthorization(o => o.AddPolicy("SchedulerAdmins", p => p.RequireRole("ops")));

        var app = builder.Build();
        app.MapAthomicSchedulerDashboard("/scheduler");
        return app;
    }
}
