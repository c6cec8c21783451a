namespace Athomic.Scheduler.Cli.Tests.Infrastructure;

/// <summary>
/// Awaits a condition on state the test cannot subscribe to (what a worker wrote to Redis), polling it every
/// <see cref="PollInterval"/> until a timeout. Used only where no event exists to await.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {limit} waiting for: {what}");
            }

            await Task.Delay(PollInterval);
        }
    }
}
