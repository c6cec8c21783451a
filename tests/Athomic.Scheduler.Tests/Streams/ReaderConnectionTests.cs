using System.Collections.Concurrent;
using System.Reflection;
using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// The streams broker's blocking-read connection is opened from the application's own <see cref="ConfigurationOptions"/>,
/// so what only exists in code (TLS certificate callbacks, socket hooks, tunnels) reaches it too.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ReaderConnectionTests(RedisFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_reader_connection_goes_through_the_applications_socket_callback()
    {
        var sockets = new ConcurrentQueue<ConnectionType>();
        var options = ConfigurationOptions.Parse(redis.Server.ConnectionString);
        options.BeforeSocketConnect = (_, type, _) => sockets.Enqueue(type); // exists only in code, not in the configuration string
        await using var application = await ConnectionMultiplexer.ConnectAsync(options);
        var interactiveBefore = sockets.Count(t => t == ConnectionType.Interactive);
        var registry = new RecordingRegistry();
        using var host = Hosts.RedisStreams(application, RedisFixture.NewPrefix(), registry);
        await host.StartAsync();

        await host.Services.GetRequiredService<IScheduler>().ScheduleAsync(new GenericTask(RecordingRegistry.Record, default, "through-the-reader"), TimeSpan.Zero);
        await registry.WhenDistinctRuns(1, Timeout); // read from the stream, so the reader connection is open
        await host.StopAsync();

        Assert.Equal(interactiveBefore + 1, sockets.Count(t => t == ConnectionType.Interactive)); // the reader's socket
    }

    [Fact]
    public async Task The_reader_configuration_is_a_copy_of_the_applications_options_with_the_readers_settings()
    {
        var user = "app-" + Guid.NewGuid().ToString("N")[..8];
        await redis.Connection.GetDatabase().ExecuteAsync("ACL", "SETUSER", user, "on", ">app-secret", "~*", "&*", "+@all");
        var options = ConfigurationOptions.Parse(redis.Server.ConnectionString);
        options.User = user;
        options.Password = "app-secret";
        options.ClientName = "app";
        options.CertificateValidation += (_, _, _, _) => true;
        options.CertificateSelection += (_, _, _, _, _) => null!;
        options.BeforeSocketConnect = (_, _, _) => { };
        await using var application = await ConnectionMultiplexer.ConnectAsync(options);

        var config = RedisStreamsBrokerExtensions.ReaderConfiguration(application, "c1", 2, out var fromOptions);

        Assert.True(fromOptions);
        Assert.NotSame(options, config);
        Assert.Equal((user, "app-secret"), (config.User, config.Password));
        Assert.Same(options.BeforeSocketConnect, config.BeforeSocketConnect);
        Assert.NotNull(CallbackOf(config, "CertificateValidation"));
        Assert.NotNull(CallbackOf(config, "CertificateSelection"));
        Assert.Equal("athomic-reader-c1-2", config.ClientName);
        Assert.True(config.AsyncTimeout > 1000 && config.SyncTimeout > 1000);
        Assert.Equal("app", options.ClientName); // the application's instance is left as it was

        await using var reader = await ConnectionMultiplexer.ConnectAsync(config);
        Assert.Equal(user, (string?)await reader.GetDatabase().ExecuteAsync("ACL", "WHOAMI"));
        Assert.Equal("athomic-reader-c1-2", (string?)await reader.GetDatabase().ExecuteAsync("CLIENT", "GETNAME"));
    }

    [Fact]
    public void A_connection_that_is_not_a_ConnectionMultiplexer_falls_back_to_its_configuration_string()
    {
        var wrapper = DispatchProxy.Create<IConnectionMultiplexer, ConfigurationOnly>();

        var reader = RedisStreamsBrokerExtensions.ReaderConfiguration(wrapper, "c1", 0, out var fromOptions);

        Assert.False(fromOptions);
        Assert.Equal("secret", reader.Password);
        Assert.Equal("athomic-reader-c1", reader.ClientName);
        Assert.Single(reader.EndPoints);
    }

    private static Delegate? CallbackOf(ConfigurationOptions options, string name) =>
        (Delegate?)typeof(ConfigurationOptions).GetField(name, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(options);

    /// <summary>An <see cref="IConnectionMultiplexer"/> wrapper that only knows its configuration string.</summary>
    public class ConfigurationOnly : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == "get_Configuration" ? "127.0.0.1:1,password=secret" : throw new NotSupportedException(targetMethod?.Name);
    }
}
