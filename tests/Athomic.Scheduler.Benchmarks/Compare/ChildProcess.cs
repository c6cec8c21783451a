using System.Diagnostics;
using System.Text;

namespace Athomic.Scheduler.Benchmarks.Compare;

/// <summary>What a child process printed and how it ended.</summary>
internal sealed record ChildResult(int ExitCode, IReadOnlyList<string> StdOut, IReadOnlyList<string> Output, TimeSpan Elapsed)
{
    /// <summary>The last lines of stdout and stderr as they came, for an error message.</summary>
    public string Tail(int lines = 25) => string.Join(Environment.NewLine, Output.Skip(Math.Max(0, Output.Count - lines)).Select(l => "    " + l));
}

/// <summary>Runs git, dotnet build and benchmark runs as child processes; cancelling kills the child's process tree.</summary>
internal static class ChildProcess
{
    public static async Task<ChildResult> RunAsync(
        string file, IEnumerable<string> arguments, string workingDirectory, CancellationToken cancellation, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var stdout = new List<string>();
        var output = new List<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(e.Data, stdout, output);
        process.ErrorDataReceived += (_, e) => Collect(e.Data, null, output);
        cancellation.ThrowIfCancellationRequested();
        var watch = Stopwatch.StartNew();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new CompareException($"could not start {file}: {ex.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellation.Register(() => Kill(process)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
        }

        cancellation.ThrowIfCancellationRequested();
        lock (output)
        {
            return new ChildResult(process.ExitCode, stdout.ToList(), output.ToList(), watch.Elapsed);
        }
    }

    private static void Collect(string? line, List<string>? stdout, List<string> output)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            stdout?.Add(line);
            output.Add(line);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}

/// <summary>A reason to stop the comparison, said to the user as it is (no stack trace).</summary>
internal sealed class CompareException(string message) : Exception(message);
