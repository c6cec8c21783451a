using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Athomic.Scheduler.Cli;

/// <summary>
/// The library's services over one Redis connection, built as an application would build them
/// (<c>AddAthomicScheduler(section).UseRedis(...)</c>) but with the worker disabled and no host started: the tool reads
/// and acts on the schedule, it never claims a task.
/// </summary>
internal sealed class SchedulerSession : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly ConnectionMultiplexer _connection;

    private SchedulerSession(ServiceProvider services, ConnectionMultiplexer connection, SchedulerOptions options)
    {
        _services = services;
        _connection = connection;
        Options = options;
    }

    /// <summary>The options in force (key prefix, partitions).</summary>
    public SchedulerOptions Options { get; }

    /// <summary>The scheduler: get and cancel by id.</summary>
    public IScheduler Scheduler => _services.GetRequiredService<IScheduler>();

    /// <summary>The dead letters.</summary>
    public IDeadLetterQueue DeadLetters => _services.GetRequiredService<IDeadLetterQueue>();

    /// <summary>Listings, counts, run now, trigger, requeue all, pause and resume handlers, the handler listing.</summary>
    public ISchedulerOperations Operations => _services.GetRequiredService<ISchedulerOperations>();

    /// <summary>Validates the options, connects to Redis and builds the services.</summary>
    /// <param name="section">The <c>Athomic:Scheduler</c> section.</param>
    /// <returns>The session.</returns>
    /// <exception cref="UsageException">An option or the connection string is invalid.</exception>
    /// <exception cref="RedisUnreachableException">Redis does not answer.</exception>
    public static async Task<SchedulerSession> OpenAsync(IConfigurationSection section)
    {
        var connectionString = section[nameof(SchedulerOptions.RedisConnectionString)]!;
        ConfigurationOptions redis;
        try
        {
            redis = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException("The Redis connection string is not valid: " + ex.Message);
        }

        redis.AbortOnConnectFail = false;
        redis.ClientName ??= "athomic-cli";
        if (!connectionString.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            redis.ConnectTimeout = 3000;
        }

        ConnectionMultiplexer? connection = null;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAthomicScheduler(section, o => o.Worker.Enabled = false)
            .UseRedis(_ => connection ?? throw new InvalidOperationException("Not connected."));
        var provider = services.BuildServiceProvider();
        try
        {
            SchedulerOptions options;
            try
            {
                options = provider.GetRequiredService<IOptions<SchedulerOptions>>().Value;
            }
            catch (OptionsValidationException ex)
            {
                throw new UsageException(string.Join(" ", ex.Failures));
            }
            catch (InvalidOperationException ex)
            {
                // A value that does not convert (for example Partitions=abc).
                throw new UsageException("Invalid settings: " + (ex.InnerException?.Message ?? ex.Message));
            }

            connection = await ConnectionMultiplexer.ConnectAsync(redis, TextWriter.Null).ConfigureAwait(false);
            if (!connection.IsConnected)
            {
                var endpoints = string.Join(", ", redis.EndPoints.Select(e => e.ToString()));
                await connection.DisposeAsync().ConfigureAwait(false);
                throw new RedisUnreachableException($"Redis is unreachable at {endpoints}.");
            }

            return new SchedulerSession(provider, connection, options);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
