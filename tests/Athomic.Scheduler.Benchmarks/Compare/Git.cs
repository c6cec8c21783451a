namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>The git questions the comparison asks of the repository this benchmark was built from.</summary>
internal sealed class Git(string root)
{
    /// <summary>The benchmark project's folder, relative to the repository's root (the same in every ref that has it).</summary>
    public const string BenchmarkFolder = "tests/Athomic.Scheduler.Benchmarks";

    public string Root { get; } = root;

    /// <summary>The repository that holds this benchmark's build output (bin/ is inside the working tree).</summary>
    public static async Task<Git> OfThisBuildAsync(CancellationToken cancellation)
    {
        var top = await RunAsync(AppContext.BaseDirectory, ["rev-parse", "--show-toplevel"], cancellation);
        return new Git(top);
    }

    /// <summary>The commit a ref names (branch, tag, sha, HEAD~1, ...).</summary>
    public async Task<string> ResolveAsync(string reference, CancellationToken cancellation)
    {
        var result = await ChildProcess.RunAsync("git", ["rev-parse", "--verify", "--quiet", reference + "^{commit}"], Root, cancellation);
        return result.ExitCode == 0 && result.StdOut.Count == 1
            ? result.StdOut[0].Trim()
            : throw new CompareException($"'{reference}' names no commit in {Root}.");
    }

    /// <summary>"1a2b3c4d5e 2026-12-07 subject" of a commit, the subject cut short.</summary>
    public async Task<string> DescribeAsync(string commit, CancellationToken cancellation)
    {
        var line = await RunAsync(Root, ["log", "-1", "--format=%h %cs %s", commit], cancellation);
        return line.Length > 100 ? line[..97] + "..." : line;
    }

    /// <summary>"at 1a2b3c4d5e" or "at 1a2b3c4d5e + uncommitted changes": what the working tree's build is of.</summary>
    public async Task<string> DescribeWorkingTreeAsync(CancellationToken cancellation)
    {
        var head = await RunAsync(Root, ["rev-parse", "--short", "HEAD"], cancellation);
        var status = await ChildProcess.RunAsync("git", ["status", "--porcelain", "--untracked-files=no"], Root, cancellation);
        return $"at {head}" + (status.StdOut.Any(l => l.Length > 0) ? " + uncommitted changes" : string.Empty);
    }

    public async Task<bool> HasBenchmarkAsync(string commit, CancellationToken cancellation) =>
        (await ChildProcess.RunAsync("git", ["cat-file", "-e", $"{commit}:{BenchmarkFolder}/Athomic.Scheduler.Benchmarks.csproj"], Root, cancellation)).ExitCode == 0;

    /// <summary>
    /// Whether the benchmark's sources at <paramref name="commit"/> know a flag: its literal "--flag" appears in them.
    /// Asked before building, because a build that does not know a flag ignores it and runs the whole benchmark.
    /// </summary>
    public async Task<bool> KnowsFlagAsync(string commit, string flag, CancellationToken cancellation)
    {
        var result = await ChildProcess.RunAsync("git", ["grep", "--quiet", "--fixed-strings", "-e", $"\"{flag}\"", commit, "--", BenchmarkFolder], Root, cancellation);
        return result.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw new CompareException($"git grep failed:{Environment.NewLine}{result.Tail()}"),
        };
    }

    /// <summary>The first commit of HEAD's history whose benchmark sources know <paramref name="flag"/>, or null.</summary>
    public async Task<string?> FirstWithFlagAsync(string flag, CancellationToken cancellation)
    {
        var result = await ChildProcess.RunAsync("git", ["log", "--reverse", "--format=%h %cs", $"-S\"{flag}\"", "HEAD", "--", BenchmarkFolder], Root, cancellation);
        return result.ExitCode == 0 ? result.StdOut.FirstOrDefault() : null;
    }

    public Task AddWorktreeAsync(string path, string commit, CancellationToken cancellation) =>
        RunAsync(Root, ["worktree", "add", "--detach", "--quiet", path, commit], cancellation);

    /// <summary>
    /// Removes a worktree this comparison added, with its build output; never cancelled (it is the clean-up).
    /// Returns a note for the user when git would not (the folder is deleted anyway).
    /// </summary>
    public async Task<string?> RemoveWorktreeAsync(string path)
    {
        var removed = await ChildProcess.RunAsync("git", ["worktree", "remove", "--force", path], Root, CancellationToken.None);
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        return removed.ExitCode == 0 ? null : $"git worktree remove {path} failed (folder deleted; 'git worktree prune' drops git's entry):{Environment.NewLine}{removed.Tail(5)}";
    }

    private static async Task<string> RunAsync(string directory, string[] arguments, CancellationToken cancellation)
    {
        var result = await ChildProcess.RunAsync("git", arguments, directory, cancellation);
        return result.ExitCode == 0
            ? string.Join(Environment.NewLine, result.StdOut).Trim()
            : throw new CompareException($"git {string.Join(' ', arguments)} failed ({result.ExitCode}):{Environment.NewLine}{result.Tail()}");
    }
}
