namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>Builds the benchmark project of a checkout in Release and finds the dll to run.</summary>
internal static class Build
{
    private const string Project = "Athomic.Scheduler.Benchmarks";

    /// <summary>
    /// <c>dotnet build -c Release</c> of the benchmark project under <paramref name="root"/> (with the library and generator
    /// it references), without build servers so nothing outlives the comparison; returns the built dll's path.
    /// </summary>
    public static async Task<string> BenchmarkAsync(string root, string side, CancellationToken cancellation)
    {
        var folder = Path.Combine(root, Git.BenchmarkFolder);
        var result = await ChildProcess.RunAsync(
            "dotnet", ["build", Path.Combine(folder, Project + ".csproj"), "-c", "Release", "--disable-build-servers", "-nologo", "-v:minimal"], root, cancellation);
        if (result.ExitCode != 0)
        {
            throw new CompareException($"the {side} build failed ({root}):{Environment.NewLine}{result.Tail(30)}");
        }

        var dll = new DirectoryInfo(Path.Combine(folder, "bin", "Release")).EnumerateFiles(Project + ".dll", SearchOption.AllDirectories)
            .Where(f => f.Directory?.Parent?.Name == "Release")
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .FirstOrDefault();
        Console.WriteLine($"  {side}: built in {result.Elapsed.TotalSeconds:F0} s");
        return dll?.FullName ?? throw new CompareException($"the {side} build succeeded but left no bin/Release/*/{Project}.dll under {folder}.");
    }
}
