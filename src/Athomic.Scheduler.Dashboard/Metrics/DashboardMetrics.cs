using System.Diagnostics.Metrics;
using Athomic.Scheduler.Observability;

namespace Athomic.Scheduler.Dashboard.Metrics;

/// <summary>The counters the overview shows, by index into a slot's counts.</summary>
internal enum RunCounter
{
    Scheduled,
    Claimed,
    Completed,
    Failed,
    Retried,
    DeadLettered,
}

/// <summary>What the scheduler in this process did over the metrics window, as the overview shows it.</summary>
/// <param name="Window">The time covered: the metrics window, or less while the listener has not run that long.</param>
/// <param name="SlotLength">The length of one slot of <see cref="CompletedPerSlot"/>.</param>
/// <param name="Totals">The counts over the window, indexed by <see cref="RunCounter"/>.</param>
/// <param name="CompletedPerSlot">Completions per slot, oldest first (the last slot is the current, partial one).</param>
/// <param name="FailedPerSlot">Failures per slot, oldest first.</param>
/// <param name="LatenessP50">Median lateness in seconds (NaN without runs).</param>
/// <param name="LatenessP95">95th percentile lateness in seconds.</param>
/// <param name="LatenessMax">Largest lateness in seconds.</param>
/// <param name="DurationP50">Median handler duration in seconds.</param>
/// <param name="DurationP95">95th percentile handler duration in seconds.</param>
internal sealed record MetricsSnapshot(
    TimeSpan Window,
    TimeSpan SlotLength,
    long[] Totals,
    long[] CompletedPerSlot,
    long[] FailedPerSlot,
    double LatenessP50,
    double LatenessP95,
    double LatenessMax,
    double DurationP50,
    double DurationP95)
{
    /// <summary>A count over the window.</summary>
    public long Total(RunCounter counter) => Totals[(int)counter];

    /// <summary>A count over the window, per second.</summary>
    public double PerSecond(RunCounter counter) => Totals[(int)counter] / Window.TotalSeconds;
}

/// <summary>
/// Listens in-process to the scheduler's meter (<see cref="SchedulerDiagnostics.MeterName"/>) with a
/// <see cref="MeterListener"/> and keeps a rolling window of 30 time slots: counts of the run counters, and log-scale
/// bins of lateness and duration (no sample is stored, so memory is fixed however busy the host is). Only
/// measurements tagged with this dashboard's schedule (its key prefix) count.
/// </summary>
internal sealed class DashboardMetrics : IDisposable
{
    /// <summary>How many slots the window is cut into.</summary>
    public const int SlotCount = 30;

    private static readonly Dictionary<string, RunCounter> Counters = new(StringComparer.Ordinal)
    {
        ["athomic.scheduler.tasks.scheduled"] = RunCounter.Scheduled,
        ["athomic.scheduler.tasks.claimed"] = RunCounter.Claimed,
        ["athomic.scheduler.tasks.completed"] = RunCounter.Completed,
        ["athomic.scheduler.tasks.failed"] = RunCounter.Failed,
        ["athomic.scheduler.tasks.retried"] = RunCounter.Retried,
        ["athomic.scheduler.tasks.dead_lettered"] = RunCounter.DeadLettered,
    };

    private const string Lateness = "athomic.scheduler.task.lateness";
    private const string Duration = "athomic.scheduler.task.duration";
    private static readonly int CounterCount = Enum.GetValues<RunCounter>().Length;

    private readonly MeterListener _listener;
    private readonly TimeProvider _time;
    private readonly string _schedule;
    private readonly long _slotTicks;
    private readonly Slot[] _slots;
    private readonly DateTimeOffset _started;

    public DashboardMetrics(string schedule, TimeSpan window, TimeProvider time)
    {
        _schedule = schedule;
        _time = time;
        _started = time.GetUtcNow();
        _slotTicks = Math.Max(TimeSpan.TicksPerSecond, window.Ticks / SlotCount);
        _slots = new Slot[SlotCount];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(CounterCount);
        }

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SchedulerDiagnostics.MeterName
                    && (Counters.ContainsKey(instrument.Name) || instrument.Name is Lateness or Duration))
                {
                    listener.EnableMeasurementEvents(instrument, this);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(OnCount);
        _listener.SetMeasurementEventCallback<double>(OnSeconds);
        _listener.Start();
    }

    /// <summary>The window covered by a snapshot.</summary>
    public TimeSpan Window => TimeSpan.FromTicks(_slotTicks * SlotCount);

    /// <summary>Adds up the slots of the window, oldest first.</summary>
    public MetricsSnapshot Snapshot()
    {
        var current = CurrentEpoch();
        var totals = new long[CounterCount];
        var completed = new long[SlotCount];
        var failed = new long[SlotCount];
        var lateness = new long[LogBins.Count];
        var duration = new long[LogBins.Count];
        var latenessMax = double.NaN;
        for (var age = SlotCount - 1; age >= 0; age--)
        {
            var epoch = current - age;
            var slot = _slots[(int)(epoch % SlotCount)];
            if (Volatile.Read(ref slot.Epoch) != epoch)
            {
                continue;
            }

            for (var c = 0; c < CounterCount; c++)
            {
                totals[c] += Volatile.Read(ref slot.Counts[c]);
            }

            completed[SlotCount - 1 - age] = Volatile.Read(ref slot.Counts[(int)RunCounter.Completed]);
            failed[SlotCount - 1 - age] = Volatile.Read(ref slot.Counts[(int)RunCounter.Failed]);
            for (var b = 0; b < LogBins.Count; b++)
            {
                lateness[b] += Volatile.Read(ref slot.Lateness[b]);
                duration[b] += Volatile.Read(ref slot.Duration[b]);
            }

            var max = slot.LatenessMax;
            if (slot.LatenessRuns > 0 && (double.IsNaN(latenessMax) || max > latenessMax))
            {
                latenessMax = max;
            }
        }

        var covered = _time.GetUtcNow() - _started;
        covered = covered < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : covered > Window ? Window : covered;
        return new MetricsSnapshot(
            covered, TimeSpan.FromTicks(_slotTicks), totals, completed, failed,
            LogBins.Quantile(lateness, 0.5), LogBins.Quantile(lateness, 0.95), latenessMax,
            LogBins.Quantile(duration, 0.5), LogBins.Quantile(duration, 0.95));
    }

    public void Dispose() => _listener.Dispose();

    private void OnCount(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (IsOurs(tags) && Counters.TryGetValue(instrument.Name, out var counter))
        {
            Interlocked.Add(ref CurrentSlot().Counts[(int)counter], value);
        }
    }

    private void OnSeconds(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (!IsOurs(tags))
        {
            return;
        }

        var slot = CurrentSlot();
        if (instrument.Name == Lateness)
        {
            Interlocked.Increment(ref slot.Lateness[LogBins.Of(value)]);
            lock (slot)
            {
                slot.LatenessMax = slot.LatenessRuns == 0 ? value : Math.Max(slot.LatenessMax, value);
                slot.LatenessRuns++;
            }
        }
        else
        {
            Interlocked.Increment(ref slot.Duration[LogBins.Of(value)]);
        }
    }

    private bool IsOurs(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "schedule")
            {
                return tag.Value is string s && s == _schedule;
            }
        }

        return false;
    }

    private long CurrentEpoch() => _time.GetUtcNow().UtcTicks / _slotTicks;

    /// <summary>The slot of the current time, cleared first when it still holds an older epoch (once per slot length).</summary>
    private Slot CurrentSlot()
    {
        var epoch = CurrentEpoch();
        var slot = _slots[(int)(epoch % SlotCount)];
        if (Volatile.Read(ref slot.Epoch) != epoch)
        {
            lock (slot)
            {
                if (slot.Epoch != epoch)
                {
                    Array.Clear(slot.Counts);
                    Array.Clear(slot.Lateness);
                    Array.Clear(slot.Duration);
                    slot.LatenessMax = 0;
                    slot.LatenessRuns = 0;
                    Volatile.Write(ref slot.Epoch, epoch);
                }
            }
        }

        return slot;
    }

    /// <summary>One time slot: its epoch (time / slot length) and what was measured in it.</summary>
    private sealed class Slot(int counters)
    {
        public long Epoch = -1;
        public readonly long[] Counts = new long[counters];
        public readonly long[] Lateness = new long[LogBins.Count];
        public readonly long[] Duration = new long[LogBins.Count];
        public double LatenessMax;
        public long LatenessRuns;
    }
}
