using System.Diagnostics;

namespace Athomic.Scheduler.Observability;

/// <summary>
/// The scheduler's spans on the <see cref="ActivitySource"/> <see cref="SchedulerDiagnostics.ActivitySourceName"/>, after
/// the OpenTelemetry messaging conventions: a producer span <c>schedule {handler}</c> per schedule call (one per batch),
/// and a consumer span <c>process {handler}</c> per handler run, a trace of its own that links to the context stored
/// in the task's envelope (a delay may be days: links, not parents, as the conventions advise for deferred processing).
/// </summary>
/// <remarks>
/// Nothing is allocated when no listener samples the source: every method returns before building a name or a tag,
/// and a trace context is formatted only when there is an <see cref="Activity"/> to take it from.
/// </remarks>
internal static class SchedulerTracing
{
    public const string MessagingSystem = "messaging.system";
    public const string MessagingSystemValue = "athomic.scheduler";
    public const string OperationName = "messaging.operation.name";
    public const string OperationType = "messaging.operation.type";
    public const string DestinationName = "messaging.destination.name";
    public const string MessageId = "messaging.message.id";
    public const string BatchMessageCount = "messaging.batch.message_count";
    public const string Attempt = "athomic.scheduler.attempt";
    public const string Partition = "athomic.scheduler.partition";
    public const string Lateness = "athomic.scheduler.lateness";
    public const string ScheduleId = "athomic.scheduler.recurring.schedule_id";
    public const string RecurringStatus = "athomic.scheduler.recurring.status";

    /// <summary>The operation name of the producer span (<c>schedule {handler}</c>).</summary>
    public const string ScheduleOperation = "schedule";

    /// <summary>The operation name of the consumer span (<c>process {handler}</c>).</summary>
    public const string ProcessOperation = "process";

    public static readonly ActivitySource Source = new(
        SchedulerDiagnostics.ActivitySourceName,
        typeof(SchedulerTracing).Assembly.GetName().Version?.ToString(3));

    /// <summary>
    /// Starts the producer span of a schedule call of <paramref name="count"/> tasks; <see langword="null"/> when
    /// nobody listens. <paramref name="handler"/> names the destination when every task of the call has the same one.
    /// </summary>
    public static Activity? StartSchedule(string? handler, string? taskId, int count)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(handler is null ? ScheduleOperation : ScheduleOperation + " " + handler, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingSystem, MessagingSystemValue);
            activity.SetTag(OperationName, ScheduleOperation);
            activity.SetTag(OperationType, "send");
            if (handler is not null)
            {
                activity.SetTag(DestinationName, handler);
            }

            if (count == 1)
            {
                activity.SetTag(MessageId, taskId);
            }
            else
            {
                activity.SetTag(BatchMessageCount, count);
            }
        }

        return activity;
    }

    /// <summary>Starts the producer span of storing recurring schedule <paramref name="scheduleId"/>; <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartRecurring(string handler, string scheduleId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = Source.StartActivity(ScheduleOperation + " " + handler, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingSystem, MessagingSystemValue);
            activity.SetTag(OperationName, ScheduleOperation);
            activity.SetTag(OperationType, "create");
            activity.SetTag(DestinationName, handler);
            activity.SetTag(ScheduleId, scheduleId);
        }

        return activity;
    }

    /// <summary>
    /// The trace context of <paramref name="activity"/> (or else <see cref="Activity.Current"/>) as stored beside a
    /// recurring definition: <c>traceparent</c>, then a line feed and the <c>tracestate</c> when there is one.
    /// </summary>
    public static string? TraceContext(Activity? activity)
    {
        var context = activity ?? Activity.Current;
        if (context is null || context.IdFormat != ActivityIdFormat.W3C)
        {
            return null;
        }

        return string.IsNullOrEmpty(context.TraceStateString) ? context.Id : context.Id + "\n" + context.TraceStateString;
    }

    /// <summary>
    /// Returns <paramref name="task"/> carrying the trace context of <paramref name="activity"/>, or else of
    /// <see cref="Activity.Current"/> (a caller's own trace still reaches the run when nobody listens to this source);
    /// the task itself when there is neither. A task that already carries a context (a retry, a requeue) keeps it.
    /// </summary>
    public static GenericTask Propagate(GenericTask task, Activity? activity)
    {
        var context = activity ?? Activity.Current;
        if (context is null || context.IdFormat != ActivityIdFormat.W3C || task.TraceParent is not null)
        {
            return task;
        }

        return task.WithTrace(context.Id, context.TraceStateString);
    }

    /// <summary>
    /// Starts the consumer span of one run of <paramref name="task"/> and makes it <see cref="Activity.Current"/> (so the
    /// handler's own spans nest under it); <see langword="null"/> when nobody listens.
    /// </summary>
    public static Activity? StartProcess(GenericTask task, int partition, DateTimeOffset startedAt)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = null;
        if (task.TraceParent is { } parent && ActivityContext.TryParse(parent, task.TraceState, isRemote: true, out var scheduled))
        {
            links = [new ActivityLink(scheduled)];
        }

        // A run is a trace of its own, linked to the call that scheduled it: never a child of whatever the broker's
        // loop happens to carry.
        Activity.Current = null;
        var activity = Source.StartActivity(ProcessOperation + " " + task.Handler, ActivityKind.Consumer, default(ActivityContext), links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingSystem, MessagingSystemValue);
            activity.SetTag(OperationName, ProcessOperation);
            activity.SetTag(OperationType, ProcessOperation);
            activity.SetTag(DestinationName, task.Handler);
            activity.SetTag(MessageId, task.TaskId);
            activity.SetTag(Attempt, task.Attempt);
            activity.SetTag(Partition, partition);
            if (task.DueAt is { } due)
            {
                activity.SetTag(Lateness, Math.Max(0, (startedAt - due).TotalSeconds));
            }
        }

        return activity;
    }

    /// <summary>Records <paramref name="exception"/> on <paramref name="activity"/> and marks it failed.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.AddException(exception);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>Marks <paramref name="activity"/> failed without an exception (no handler, unreadable payload).</summary>
    public static void Fail(Activity? activity, string errorType, string description)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, description);
        activity.SetTag("error.type", errorType);
    }
}
