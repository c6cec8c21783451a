using System.Security.Claims;
using System.Text.Encodings.Web;
using Athomic.Scheduler.Dashboard;
using Athomic.Scheduler.Operations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Dashboard.Tests.Infrastructure;

/// <summary>How a test host is set up.</summary>
public sealed record HostSettings
{
    /// <summary>The Redis connection string; <see langword="null"/> for the in-memory store.</summary>
    public string? Redis { get; init; }

    public string KeyPrefix { get; init; } = "dash:" + Guid.NewGuid().ToString("N")[..8];

    public int Partitions { get; init; } = 1;

    public bool Worker { get; init; }

    public string Environment { get; init; } = Environments.Production;

    /// <summary>Whether the dashboard requires the <c>SchedulerAdmins</c> policy (a user named in the <c>X-Test-User</c> header).</summary>
    public bool Policy { get; init; } = true;

    /// <summary>Sets <see cref="DashboardOptions.AllowLocalRequestsInDevelopment"/> (it matters without <see cref="Policy"/>).</summary>
    public bool LocalAccess { get; init; }

    public bool ReadOnly { get; init; }

    public int PageSize { get; init; } = 50;

    /// <summary>A path base the app is mounted under (<c>UsePathBase</c>), or <see langword="null"/>.</summary>
    public string? PathBase { get; init; }

    /// <summary>Whether the app applies <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> (<c>UseForwardedHeaders</c>, loopback proxies trusted, as by default).</summary>
    public bool ForwardedHeaders { get; init; }
}

/// <summary>
/// An ASP.NET Core app on a real Kestrel on a free loopback port, with the scheduler and the dashboard at
/// <c>/scheduler</c>. With <see cref="HostSettings.Policy"/>, the policy <c>SchedulerAdmins</c> admits any request
/// with an <c>X-Test-User</c> header (a stand-in for the app's real authentication).
/// </summary>
public sealed class DashboardHost : IAsyncDisposable
{
    public const string UserHeader = "X-Test-User";

    private readonly WebApplication _app;

    private DashboardHost(WebApplication app, string root)
    {
        _app = app;
        Root = root;
    }

    /// <summary>The dashboard's URL, e.g. <c>http://127.0.0.1:41234/scheduler</c>.</summary>
    public string Root { get; }

    public IServiceProvider Services => _app.Services;

    public IScheduler Scheduler => Services.GetRequiredService<IScheduler>();

    public ISchedulerOperations Operations => Services.GetRequiredService<ISchedulerOperations>();

    public IDeadLetterQueue DeadLetters => Services.GetRequiredService<IDeadLetterQueue>();

    public static async Task<DashboardHost> StartAsync(HostSettings settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = settings.Environment,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var scheduler = builder.Services.AddAthomicScheduler(o =>
        {
            o.KeyPrefix = settings.KeyPrefix;
            o.Partitions = settings.Partitions;
            o.Worker.Enabled = settings.Worker;
            o.Worker.MaxPollDelay = TimeSpan.FromSeconds(2);
        });
        if (settings.Redis is { } redis)
        {
            scheduler.UseRedis(redis);
        }
        else
        {
            scheduler.UseInMemoryStore();
        }

        scheduler.AddScheduledHandlersFromAthomicSchedulerDashboardTests().AddHandlers(new FlowTestHandlers());
        builder.Services.AddAthomicSchedulerDashboard(o =>
        {
            o.AuthorizationPolicy = settings.Policy ? "SchedulerAdmins" : null;
            o.AllowLocalRequestsInDevelopment = settings.LocalAccess;
            o.ReadOnly = settings.ReadOnly;
            o.PageSize = settings.PageSize;
        });
        builder.Services.AddAuthentication(HeaderAuthentication.Name)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.Name, null);
        builder.Services.AddAuthorization(o => o.AddPolicy("SchedulerAdmins", p => p.RequireAuthenticatedUser()));

        var app = builder.Build();
        if (settings.ForwardedHeaders)
        {
            app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto });
        }

        if (settings.PathBase is { } pathBase)
        {
            app.UsePathBase(pathBase);
        }

        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", () => "the app");
        app.MapAthomicSchedulerDashboard("/scheduler");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardHost(app, address.TrimEnd('/') + settings.PathBase + "/scheduler");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Authenticates a request that names a user in <see cref="UserHeader"/>.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "TestHeader";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var user = Request.Headers[UserHeader].ToString();
            if (user.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}
