using System.Diagnostics;

namespace Athomic.Scheduler.Sample;

/// <summary>Prints what happened, with the time since the demo started.</summary>
public sealed class Timeline
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();

    public void Write(string what, string detail)
    {
        lock (_gate)
        {
            Console.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:F2}s] {what,-10} {detail}");
        }
    }
}
