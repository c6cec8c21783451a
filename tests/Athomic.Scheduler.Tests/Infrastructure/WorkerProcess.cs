using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>A chaos worker (tests/Athomic.Scheduler.ChaosWorker) running as a separate OS process.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process, string consumer)
    {
        _process = process;
        Consumer = consumer;
    }

    public string Consumer { get; }

    public bool HasExited => _process.HasExited;

    public string Output => string.Join(Environment.NewLine, _output);

    public static string DllPath { get; } = typeof(WorkerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ChaosWorkerPath").Value!;

    /// <summary>
    /// The connection string with timeouts of at most half the visibility timeout (the worker refuses to start with a
    /// visibility timeout that one slow reply can cost); unchanged when it already says or allows that.
    /// </summary>
    private static string WithTimeoutFor(string redis, int visibilityMs) =>
        visibilityMs >= 10_000 || redis.Contains("asyncTimeout", StringComparison.OrdinalIgnoreCase)
            ? redis
            : redis + $",syncTimeout={visibilityMs / 2},asyncTimeout={visibilityMs / 2}";

    /// <summary>Starts a worker and waits until its host has started.</summary>
    public static Task<WorkerProcess> StartAsync(string redis, string prefix, string consumer, string runsKey, int workMs, int visibilityMs, int concurrency = 16, params string[] extraArgs) =>
        StartWithEnvironmentAsync(new Dictionary<string, string>(), redis, prefix, consumer, runsKey, workMs, visibilityMs, concurrency, extraArgs);

    /// <summary>Starts a worker with extra environment variables (for example <c>TZDIR</c>) and waits until its host has started.</summary>
    public static async Task<WorkerProcess> StartWithEnvironmentAsync(IReadOnlyDictionary<string, string> environment, string redis, string prefix, string consumer, string runsKey, int workMs, int visibilityMs, int concurrency = 16, params string[] extraArgs)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
        {
            DllPath,
            "--Athomic:Scheduler:RedisConnectionString=" + WithTimeoutFor(redis, visibilityMs),
            "--Athomic:Scheduler:KeyPrefix=" + prefix,
            "--Athomic:Scheduler:Streams:ConsumerName=" + consumer,
            "--Athomic:Scheduler:Streams:VisibilityTimeout=" + TimeSpan.FromMilliseconds(visibilityMs).ToString("c"),
            "--Athomic:Scheduler:Execution:MaxConcurrency=" + concurrency,
            "--Athomic:Scheduler:Worker:MinPollDelay=00:00:00.020",
            "--Athomic:Scheduler:Worker:MaxPollDelay=00:00:00.200",
            "--Chaos:RunsKey=" + runsKey,
            "--Chaos:WorkMs=" + workMs,
        }.Concat(extraArgs))
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_gcServer"] = "0";
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("dotnet did not start");
        var worker = new WorkerProcess(process, consumer);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"worker {consumer} exited: {worker.Output}"));
                return;
            }

            worker._output.Enqueue(e.Data);
            if (e.Data.StartsWith("READY", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                worker._output.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return worker;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
