using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>
/// A logger provider that keeps every entry with the scopes open when it was written, and lets a test await the first
/// entry matching a condition.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider? _scopes;

    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly object _gate = new();
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Done)> _waiters = [];

    public IEnumerable<Entry> Entries => _entries;

    /// <summary>Completes with the first entry (already logged or later) that matches.</summary>
    public Task<Entry> WhenLogged(Func<Entry, bool> match, TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_entries.FirstOrDefault(match) is { } logged)
            {
                return Task.FromResult(logged);
            }

            var tcs = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task.WaitAsync(timeout);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    private IReadOnlyList<KeyValuePair<string, object?>> ScopeValues()
    {
        var values = new List<KeyValuePair<string, object?>>();
        _scopes?.ForEachScope(
            (scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    list.AddRange(pairs);
                }
            },
            values);
        return values;
    }

    private void Add(Entry entry)
    {
        lock (_gate)
        {
            _entries.Enqueue(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(entry))
                {
                    _waiters[i].Done.TrySetResult(entry);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
    {
        /// <summary>The values of the scopes open when the entry was written (outermost first).</summary>
        public IReadOnlyList<KeyValuePair<string, object?>> Scopes { get; init; } = [];
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(new Entry(category, logLevel, eventId, formatter(state, exception), exception) { Scopes = owner.ScopeValues() });
    }
}
