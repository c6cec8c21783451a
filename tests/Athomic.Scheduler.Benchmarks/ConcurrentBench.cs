using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>
/// The 32-caller <c>ScheduleAsync</c> row, with the figures that stay meaningful on a shared, noisy machine: client CPU
/// time and bytes allocated per task (whole process), and Redis script time and tasks per script call.
/// </summary>
internal static class ConcurrentBench
{
    public const int Callers = 32;

    public sealed record Result(int Count, TimeSpan Elapsed, double CpuMicrosPerTask, double BytesPerTask, double WorkItemsPerTask, double SwitchesPerTask, double RedisCpuMicrosPerTask, double RedisMicrosPerTask, double TasksPerCall)
    {
        public string Costs => string.Create(
            CultureInfo.InvariantCulture,
            $"client CPU {CpuMicrosPerTask:F1} µs/task, {BytesPerTask:F0} B allocated/task, {WorkItemsPerTask:F2} thread-pool items/task, {SwitchesPerTask:F2} context switches/task; Redis CPU {RedisCpuMicrosPerTask:F1} µs/task, {RedisMicrosPerTask:F1} µs/task in scripts, {TasksPerCall:F0} tasks/call");
    }

    /// <summary>Schedules <paramref name="count"/> tasks (ids <paramref name="idPrefix"/> + n) from 32 concurrent async callers.</summary>
    public static async Task<Result> RunAsync(IScheduler scheduler, IConnectionMultiplexer connection, Func<string, GenericTask> newTask, string idPrefix, int count)
    {
        var process = Process.GetCurrentProcess();
        var (calls0, usec0, redisCpu0) = await ScriptStatsAsync(connection);
        process.Refresh();
        var cpu0 = process.TotalProcessorTime;
        var bytes0 = GC.GetTotalAllocatedBytes(true);
        var items0 = ThreadPool.CompletedWorkItemCount;
        var switches0 = ContextSwitches();
        var sw = Stopwatch.StartNew();
        var next = -1;
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            callers[c] = Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < count)
                {
                    await scheduler.ScheduleAsync(newTask(idPrefix + i.ToString(CultureInfo.InvariantCulture)), TimeSpan.FromDays(1));
                }
            });
        }

        await Task.WhenAll(callers);
        var elapsed = sw.Elapsed;
        var bytes = GC.GetTotalAllocatedBytes(true) - bytes0;
        var items = ThreadPool.CompletedWorkItemCount - items0;
        var switches = ContextSwitches() - switches0;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        var (calls1, usec1, redisCpu1) = await ScriptStatsAsync(connection);
        return new Result(count, elapsed, cpu.TotalMicroseconds / count, bytes / (double)count, items / (double)count, switches / (double)count, (redisCpu1 - redisCpu0) * 1e6 / count, (usec1 - usec0) / (double)count, count / (double)Math.Max(1, calls1 - calls0));
    }

    /// <summary>Voluntary and involuntary context switches of this process's live threads so far (Linux; 0 elsewhere).</summary>
    internal static long ContextSwitches()
    {
        long total = 0;
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
            {
                foreach (var line in File.ReadLines(Path.Combine(dir, "status")))
                {
                    if (line.Contains("ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
        }
        catch (IOException)
        {
            // A thread ended while being read, or no /proc: the figure is approximate anyway.
        }

        return total;
    }

    /// <summary>Calls and microseconds of EVAL + EVALSHA so far on the server, and the server's CPU seconds (user + system).</summary>
    internal static async Task<(long Calls, long Usec, double CpuSeconds)> ScriptStatsAsync(IConnectionMultiplexer connection)
    {
        var info = await connection.GetServer(connection.GetEndPoints()[0]).InfoAsync("everything");
        long calls = 0, usec = 0;
        double cpu = 0;
        foreach (var pair in info.SelectMany(g => g))
        {
            if (pair.Key is "used_cpu_user" or "used_cpu_sys")
            {
                cpu += double.Parse(pair.Value, CultureInfo.InvariantCulture);
            }

            if (pair.Key is "cmdstat_eval" or "cmdstat_evalsha")
            {
                foreach (var field in pair.Value.Split(','))
                {
                    var kv = field.Split('=');
                    if (kv[0] == "calls")
                    {
                        calls += long.Parse(kv[1], CultureInfo.InvariantCulture);
                    }
                    else if (kv[0] == "usec")
                    {
                        usec += long.Parse(kv[1], CultureInfo.InvariantCulture);
                    }
                }
            }
        }

        return (calls, usec, cpu);
    }
}
