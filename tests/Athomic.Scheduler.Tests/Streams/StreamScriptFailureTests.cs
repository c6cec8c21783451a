using System.Net;
using System.Net.Sockets;
using Athomic.Scheduler.Streams;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Streams;

/// <summary>
/// The streams broker's scripts fail as every other store call does: a lost connection is a
/// <see cref="SchedulerUnavailableException"/> (they used to throw the client's own exceptions, past the mapping).
/// </summary>
public sealed class StreamScriptFailureTests
{
    [Fact]
    public async Task Every_stream_script_on_a_lost_connection_fails_as_unavailable()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{UnusedPort()},abortConnect=false,connectTimeout=500,syncTimeout=500,asyncTimeout=500");
        var queue = new RedisStreamQueue(connection, "nowhere", "me");

        Func<Task>[] calls =
        [
            () => queue.PromoteAsync(10),
            () => queue.AckAsync("1-0", "t"),
            () => queue.RetryAsync("1-0", "t", new byte[] { 1 }, TimeSpan.FromSeconds(1)),
            () => queue.HandBackAsync("1-0", "t", ["t", "t"]),
            () => queue.ParkAsync("1-0", "t", new byte[] { 1 }, 0, "handler", string.Empty),
            () => queue.DeadLetterAsync("1-0", "t", new byte[] { 1 }),
            () => queue.KeepAliveAsync(["1-0"]),
            () => queue.RemoveGoneConsumersAsync(TimeSpan.FromMinutes(1)),
            () => queue.TakeNameAsync("me", TimeSpan.FromSeconds(30)),
            () => queue.ReleaseNameAsync("me"),
        ];

        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<SchedulerUnavailableException>(call);
            Assert.IsAssignableFrom<RedisException>(error.InnerException);
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
