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
        output.WriteLine($"dotnet publish (Native AOT) took {aot.Duration.TotalSeconds:F0} s");
        Assert.True(aot.Publish.ExitCode == 0, "the AOT publish must succeed:\n" + aot.Publish.Output);

        var warnings = TrimOrAotWarning().Matches(aot.Publish.Output).Select(m => m.Value.Trim()).Distinct().ToList();

        Assert.True(warnings.Count == 0, $"{warnings.Count} trim/AOT warnings:\n" + string.Join('\n', warnings));
        Assert.True(File.Exists(aot.Executable), "the native executable is published");
        Assert.False(File.Exists(aot.Executable + ".dll"), "a native executable, not an IL assembly");
    }

    [Fact]
    public async Task Native_executable_runs_a_typed_task_and_a_recurring_occurrence_against_Redis()
    {
        Assert.True(aot.Publish.ExitCode == 0, "the AOT publish must succeed:\n" + aot.Publish.Output);
        await using var redis = await RedisServer.StartAsync();

        var run = await PackageFixture.RunAsync(aot.Work, TimeSpan.FromMinutes(2), aot.Executable, redis.ConnectionString);

        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, $"the native sample must exit 0, not {run.ExitCode}:\n" + run.Output);
        Assert.Matches(@"STARTED in \d+ ms \(Native AOT\)", run.Output);
        Assert.Matches(@"FIRST PAYLOAD encoded and decoded in \d+ µs \(\d+ bytes, equal\)", run.Output);
        Assert.Matches(@"RAN [0-9a-f]{32}: Ada Lovelace x3 \[tea, scones\] by Courier to London at 2026-11-05T14:30:00\.0000000\+01:00", run.Output);
        Assert.Matches(@"RECURRING aot-sample:heartbeat@\d+ from aot-sample", run.Output);
    }

    [Fact]
    public async Task Trimmed_publish_has_no_trim_warnings_and_runs_against_Redis()
    {
        output.WriteLine($"dotnet publish (trimmed) took {aot.TrimmedDuration.TotalSeconds:F0} s");
        Assert.True(aot.Trimmed.ExitCode == 0, "the trimmed publish must succeed:\n" + aot.Trimmed.Output);
        var warnings = TrimOrAotWarning().Matches(aot.Trimmed.Output).Select(m => m.Value.Trim()).Distinct().ToList();
        Assert.True(warnings.Count == 0, $"{warnings.Count} trim warnings:\n" + string.Join('\n', warnings));
        Assert.True(File.Exists(Path.Combine(aot.Work, "trimmed", "Athomic.Scheduler.dll")), "an IL app, trimmed");

        await using var redis = await RedisServer.StartAsync();
        var run = await PackageFixture.RunAsync(aot.Work, TimeSpan.FromMinutes(2), aot.TrimmedExecutable, redis.ConnectionString);
        output.WriteLine(run.Output);
        Assert.True(run.ExitCode == 0, $"the trimmed sample must exit 0, not {run.ExitCode}:\n" + run.Output);
        Assert.Matches(@"STARTED in \d+ ms \(JIT, \d+ methods compiled\)", run.Output);
        Assert.Matches(@"FIRST PAYLOAD encoded and decoded in \d+ µs \(\d+ bytes, equal\)", run.Output);
        Assert.Matches(@"RECURRING aot-sample:heartbeat@\d+ from aot-sample", run.Output);
    }

    /// <summary>An IL trim (IL2xxx) or AOT (IL3xxx) analysis warning, as MSBuild or ILC prints it, up to its message.</summary>
    [GeneratedRegex(@"[^\r\n]*\bwarning IL[23]\d{3}\b[^\r\n]*")]
    private static partial Regex TrimOrAotWarning();
}
