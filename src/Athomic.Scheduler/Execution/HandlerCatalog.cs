namespace Athomic.Scheduler.Execution;

/// <summary>
/// All handlers of the host, merged from every registered <see cref="IScheduledHandlerRegistry"/>. A handler name or a
/// static recurring schedule id used twice fails the host start (within one assembly the generator reports both at
/// compile time, ATS001 and ATS033; across assemblies only here): two schedules with one id would overwrite each other.
/// </summary>
internal sealed class HandlerCatalog
{
    private readonly Dictionary<string, ScheduledHandlerDescriptor> _handlers = new(StringComparer.Ordinal);

    public HandlerCatalog(IEnumerable<IScheduledHandlerRegistry> registries)
    {
        var schedules = new Dictionary<string, ScheduledHandlerDescriptor>(StringComparer.Ordinal);
        foreach (var registry in registries.Distinct())
        {
            foreach (var handler in registry.Handlers)
            {
                if (_handlers.TryGetValue(handler.Name, out var existing))
                {
                    throw new InvalidOperationException(
                        $"The scheduled handler name '{handler.Name}' is registered twice: by {existing.Method} and by {handler.Method}. " +
                        "Give one of them another name with [ScheduledHandler(\"name\")].");
                }

                if (handler.Recurring is { } recurring && !schedules.TryAdd(recurring.ScheduleId, handler))
                {
                    throw new InvalidOperationException(
                        $"The static recurring schedule id '{recurring.ScheduleId}' is used twice: by {schedules[recurring.ScheduleId].Method} and by {handler.Method}, " +
                        "so one schedule would overwrite the other. Give one of them another id with [Recurring(..., Id = \"id\")].");
                }

                if (handler.Flow?.Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxTimeout))
                {
                    throw new InvalidOperationException(
                        $"The Timeout of scheduled handler '{handler.Name}' ({handler.Method}) is {timeout}: it must be positive and at most {MaxTimeout}.");
                }

                _handlers.Add(handler.Name, handler);
            }
        }
    }

    /// <summary>The longest handler Timeout: the longest delay a cancellation timer supports (about 49.7 days).</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    public int Count => _handlers.Count;

    /// <summary>Every handler.</summary>
    public IEnumerable<ScheduledHandlerDescriptor> All => _handlers.Values;

    /// <summary>The handlers with a static recurring schedule, ordered by handler name.</summary>
    public IEnumerable<ScheduledHandlerDescriptor> Recurring => _handlers.Values.Where(h => h.Recurring is not null).OrderBy(h => h.Name, StringComparer.Ordinal);

    public bool TryGet(string name, out ScheduledHandlerDescriptor handler) => _handlers.TryGetValue(name, out handler!);
}
