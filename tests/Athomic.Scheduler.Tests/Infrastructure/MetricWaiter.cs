using System.Diagnostics.Metrics;
using Athomic.Scheduler.Observability;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>Awaits the scheduler's own metric events for one schedule (key prefix), instead of polling or sleeping.</summary>
public sealed class MetricWaiter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _schedule;
    private readonly object _gate = new();
    private readonly Dictionary<string, long> _totals = new();
    private readonly List<(string Instrument, string? ErrorType)> _errorTypes = new();
    private readonly List<(string Instrument, long Count, TaskCompletionSource Done)> _waiters = new();

    public MetricWaiter(string schedule)
    {
        _schedule = schedule;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SchedulerMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public long Total(string instrument)
    {
        lock (_gate)
        {
            return _totals.GetValueOrDefault(instrument);
        }
    }

    /// <summary>The <c>error.type</c> tag of every measurement of <paramref name="instrument"/> for this schedule, in order.</summary>
    public IReadOnlyList<string?> ErrorTypes(string instrument)
    {
        lock (_gate)
        {
            return _errorTypes.Where(m => m.Instrument == instrument).Select(m => m.ErrorType).ToList();
        }
    }

    /// <summary>Completes when <paramref name="instrument"/> has counted at least <paramref name="count"/> for this schedule.</summary>
    public Task WhenAsync(string instrument, long count, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_totals.GetValueOrDefault(instrument) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((instrument, count, done));
            return done.Task.WaitAsync(timeout);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var mine = false;
        string? errorType = null;
        foreach (var tag in tags)
        {
            mine |= tag.Key == "schedule" && (string?)tag.Value == _schedule;
            errorType = tag.Key == "error.type" ? (string?)tag.Value : errorType;
        }

        if (!mine)
        {
            return;
        }

        lock (_gate)
        {
            _errorTypes.Add((instrument.Name, errorType));
            var total = _totals[instrument.Name] = _totals.GetValueOrDefault(instrument.Name) + value;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Instrument == instrument.Name && total >= _waiters[i].Count)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
