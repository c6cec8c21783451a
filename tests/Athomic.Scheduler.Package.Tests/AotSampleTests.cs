using System.Diagnostics;
using System.Text.RegularExpressions;
using Athomic.Scheduler.Testing;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Package.Tests;

/// <summary>
/// Publishes samples/Athomic.Scheduler.AotSample as a Native AOT executable once, into a temporary folder (its own
/// artifacts path, so it never shares bin/obj with the packs and builds that run beside it).
/// </summary>
public sealed class AotPublishFixture : IAsyncLifetime
{
    public string Work { get; } = Path.Combine(Path.GetTempPath(), "athomic-aot-" + Guid.NewGuid().ToString("N")[..8]);

    public string Executable => Path.Combine(Work, "publish", "Athomic.Scheduler.AotSample");

    public (int ExitCode, string Output) Publish { get; private set; }

    public TimeSpan Duration { get; private set; }

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();

        // PublishAot comes from the sample's project file: given on the command line it would reach the generator
        // (netstandard2.0) as a global property and fail it with NETSDK1207. The SDK picks the native toolchain
        // (clang, else gcc; .ci/run installs gcc when neither is there).
        Publish = await PackageFixture.RunAsync(PackageFixture.RepositoryRoot, TimeSpan.FromMinutes(12), "dotnet", "publish",
            Path.Combine("samples", "Athomic.Scheduler.AotSample", "Athomic.Scheduler.AotSample.csproj"),
            "-c", "Release", "-r", "linux-x64", "-p:TrimmerSingleWarn=false",
            "--artifacts-path", Path.Combine(Work, "artifacts"), "-o", Path.Combine(Work, "publish"), "--nologo");
        Duration = watch.Elapsed;

        // The same program as a trimmed, self-contained JIT app: the trimmer's own analysis of the library.
        watch.Restart();
        Trimmed = await PackageFixture.RunAsync(PackageFixture.RepositoryRoot, TimeSpan.FromMinutes(12), "dotnet", "publish",
            Path.Combine("samples", "Athomic.Scheduler.AotSample", "Athomic.Scheduler.AotSample.csproj"),
            "-c", "Release", "-r", "linux-x64", "-p:AthomicTrimmedPublish=true", "-p:TrimmerSingleWarn=false",
            "--artifacts-path", Path.Combine(Work, "trimmed-artifacts"), "-o", Path.Combine(Work, "trimmed"), "--nologo");
        TrimmedDuration = watch.Elapsed;
    }

    /// <summary>The trimmed (not native) publish.</summary>
    public (int ExitCode, string Output) Trimmed { get; private set; }

    public TimeSpan TrimmedDuration { get; private set; }

    public string TrimmedExecutable => Path.Combine(Work, "trimmed", "Athomic.Scheduler.AotSample");

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// Native AOT: the sample publishes with no trim or AOT warning (IL2xxx, IL3xxx: each one is a place where the
/// native program may behave differently from the JIT one), and the native executable schedules a typed task and a
/// recurring schedule against a real Redis and gets both back.
/// </summary>
public sealed partial class AotSampleTests(AotPublishFixture aot, ITestOutputHelper output) : IClassFixture<AotPublishFixture>
{
    [Fact]
    public void Publish_succeeds_without_trim_or_AOT_warnings()
    {
        AssertPublishedWithoutWarnings("Native AOT", aot.Publish, aot.Duration);
        Assert.True(File.Exists(aot.Executable), "the native executable is published");
        Assert.False(File.Exists(aot.Executable + ".dll"), "a native executable, not an IL assembly");
    }

    [Fact]
    public async Task Native_executable_runs_a_typed_task_and_a_recurring_occurrence_against_Redis()
    {
        var run = await RunAgainstRedisAsync(aot.Publish, aot.Executable);
        Assert.Matches(@"STARTED in \d+ ms \(Native AOT\)", run);
        Assert.Matches(@"RAN [0-9a-f]{32}: Ada Lovelace x3 \[tea, scones\] by Courier to London at 2026-11-05T14:30:00\.0000000\+01:00", run);
    }

    [Fact]
    public async Task Trimmed_publish_has_no_trim_warnings_and_runs_against_Redis()
    {
        AssertPublishedWithoutWarnings("trimmed", aot.Trimmed, aot.TrimmedDuration);
        Assert.True(File.Exists(Path.Combine(aot.Work, "trimmed", "Athomic.Scheduler.dll")), "an IL app, trimmed");

        var run = await RunAgainstRedisAsync(aot.Trimmed, aot.TrimmedExecutable);
        Assert.Matches(@"STARTED in \d+ ms \(JIT, \d+ methods compiled\)", run);
    }

    private void AssertPublishedWithoutWarnings(string kind, (int ExitCode, string Output) publish, TimeSpan duration)
    {
        output.WriteLine($"dotnet publish ({kind}) took {duration.TotalSeconds:F0} s");
        Assert.True(publish.ExitCode == 0, $"the {kind} publish must succeed:\n" + publish.Output);
        var warnings = TrimOrAotWarning().Matches(publish.Output).Select(m => m.Value.Trim()).Distinct().ToList();
        Assert.True(warnings.Count == 0, $"{warnings.Count} trim/AOT warnings:\n" + string.Join('\n', warnings));
    }

    /// <summary>Runs a published sample against a fresh redis-server; it must exit 0 with its payload and recurring lines.</summary>
    private async Task<string> RunAgainstRedisAsync((int ExitCode, string Output) publish, string executable)
    {
        Assert.True(publish.ExitCode == 0, "the publish must succeed:\n" + publish.Output);
        await using var redis = await RedisServer.StartAsync();
        var run = await PackageFixture.RunAsync(aot.Work, TimeSpan.FromMinutes(2), executable, redis.ConnectionString);
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, $"the sample must exit 0, not {run.ExitCode}:\n" + run.Output);
        Assert.Matches(@"FIRST PAYLOAD encoded and decoded in \d+ µs \(\d+ bytes, equal\)", run.Output);
        Assert.Matches(@"RECURRING aot-sample:heartbeat@\d+ from aot-sample", run.Output);
        return run.Output;
    }

    /// <summary>An IL trim (IL2xxx) or AOT (IL3xxx) analysis warning, as MSBuild or ILC prints it, up to its message.</summary>
    [GeneratedRegex(@"[^\r\n]*\bwarning IL[23]\d{3}\b[^\r\n]*")]
    private static partial Regex TrimOrAotWarning();
}
