using System.Globalization;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>Per-command call counts from <c>INFO commandstats</c>, to count what a worker sends.</summary>
internal static class CommandStats
{
    /// <summary>
    /// The calls per command sent during <paramref name="window"/> of real time (not synchronisation: a measurement
    /// window), without <paramref name="insideScripts"/> (see <see cref="ClientCommandsAsync"/>).
    /// </summary>
    public static async Task<Dictionary<string, long>> SentDuringAsync(IServer server, IReadOnlySet<string> insideScripts, TimeSpan window)
    {
        var before = await ClientCommandsAsync(server, insideScripts);
        await Task.Delay(window);
        var after = await ClientCommandsAsync(server, insideScripts);
        return after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));
    }

    /// <summary>
    /// Calls per command so far, without <paramref name="insideScripts"/>: commands that (in these tests) only Lua
    /// scripts run, which Redis counts as well, and the test's own <c>INFO</c>.
    /// </summary>
    public static async Task<Dictionary<string, long>> ClientCommandsAsync(IServer server, IReadOnlySet<string> insideScripts)
    {
        var info = await server.InfoAsync("commandstats");
        var counts = new Dictionary<string, long>();
        foreach (var pair in info.SelectMany(g => g))
        {
            var name = pair.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal);
            if (!insideScripts.Contains(name))
            {
                counts[name] = long.Parse(pair.Value.Split(',')[0].Split('=')[1], CultureInfo.InvariantCulture);
            }
        }

        return counts;
    }
}
