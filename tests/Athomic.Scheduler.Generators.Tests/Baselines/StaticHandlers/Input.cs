using System;
using System.Threading;
using System.Threading.Tasks;
using Athomic.Scheduler;
using Athomic.Scheduler.Execution;

namespace MyApp;

public static class Maintenance
{
    /// <summary>Purges expired sessions.</summary>
    [ScheduledHandler("maintenance.purge")]
    public static Task PurgeSessions(int olderThanDays, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    [ScheduledHandler(MaxAttempts = 1)]
    public static ValueTask Heartbeat() => default;

    [ScheduledHandler]
    public static void Log(TaskContext context, string message) => Console.WriteLine(context.TaskId + message);

    [ScheduledHandler("maintenance.reindex", MaxAttempts = 10)]
    public static async Task ReindexAsync(CancellationToken cancellationToken, TaskContext context, DateTimeOffset since)
    {
        await Task.Yield();
    }
}
