using Athomic.Scheduler.Operations;
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
    /// <param name="password">The password given apart from the connection string (it replaces the string's own), or <see langword="null"/>.</param>
    /// <returns>The session.</returns>
    /// <exception cref="UsageException">An option or the connection string is invalid.</exception>
    /// <exception cref="RedisUnreachableException">Redis does not answer, refuses the credentials, or the TLS handshake fails.</exception>
    public static async Task<SchedulerSession> OpenAsync(IConfigurationSection section, string? password = null)
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

        if (password is not null)
        {
            redis.Password = password;
        }

        // A first connect that fails throws, with its failure type: a refused password is told apart from a server that does not answer.
        redis.AbortOnConnectFail = true;
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

            try
            {
                connection = await ConnectionMultiplexer.ConnectAsync(redis, TextWriter.Null).ConfigureAwait(false);
            }
            catch (RedisConnectionException ex)
            {
                throw NotConnected(redis, ex);
            }

            if (!connection.IsConnected)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw NotConnected(redis, null);
            }

            return new SchedulerSession(provider, connection, options);
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Why the first connect failed, without the password (StackExchange.Redis's messages never hold it either).</summary>
    private static RedisUnreachableException NotConnected(ConfigurationOptions redis, RedisConnectionException? failure)
    {
        var endpoints = string.Join(", ", redis.EndPoints.Select(e => e.ToString()));
        if (failure is not { FailureType: ConnectionFailureType.AuthenticationFailure })
        {
            return new RedisUnreachableException($"Redis is unreachable at {endpoints}.");
        }

        if (failure.InnerException is RedisServerException refused)
        {
            // WRONGPASS or NOAUTH: Redis's own words, which never repeat the password.
            return new RedisUnreachableException(
                $"Redis at {endpoints} refused the credentials ({refused.Message}): check the password (--password-file, " +
                $"--password-stdin, {ConnectionSettings.PasswordVariable} or password= in the connection string) and user=.");
        }

        var reason = failure.InnerException?.Message ?? failure.Message;
        return redis.Ssl
            ? new RedisUnreachableException(
                $"The TLS handshake with Redis at {endpoints} failed ({reason}): the port must serve TLS, and the server's certificate " +
                "must name the host (or sslHost=) and be signed by a CA this machine trusts, or by the one SERedis_IssuerCertPath names.")
            : new RedisUnreachableException($"Redis at {endpoints} failed the authentication: {reason}");
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }
}
