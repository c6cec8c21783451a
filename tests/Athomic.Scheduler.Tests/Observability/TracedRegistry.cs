using System.Diagnostics;
using Athomic.Scheduler.Execution;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Athomic.Scheduler.Tests.Observability;

/// <summary>
/// Handlers that open a span of their own (<see cref="Source"/>) while they run, to show that the run's span is
/// <see cref="Activity.Current"/> inside the handler; <see cref="Fail"/> throws on its first attempt.
/// </summary>
public sealed class TracedRegistry : IScheduledHandlerRegistry
{
    public const string SourceName = "Athomic.Scheduler.Tests.App";
    public const string Nested = "trace.nested";
    public const string Fail = "trace.fail";
    public const string Logs = "trace.logs";

    public static readonly ActivitySource Source = new(SourceName);

    public TracedRegistry()
    {
        Handlers =
        [
            new ScheduledHandlerDescriptor(Nested, "Tests.Nested", null, (ctx, _, _) => Work(ctx)),
            new ScheduledHandlerDescriptor(Fail, "Tests.Fail", null, (ctx, _, _) =>
            {
                var work = Work(ctx);
                return ctx.Attempt == 1 ? throw new InvalidOperationException("first attempt fails") : work;
            }, maxAttempts: 3),
            new ScheduledHandlerDescriptor(Logs, "Tests.Logs", null, (ctx, services, _) =>
            {
                services.GetRequiredService<ILoggerFactory>().CreateLogger("App").LogInformation("The handler of {TaskId} logs", ctx.TaskId);
                return ValueTask.CompletedTask;
            }),
        ];
    }

    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; }

    private static ValueTask Work(TaskContext ctx)
    {
        using var work = Source.StartActivity("handler work " + ctx.TaskId);
        return ValueTask.CompletedTask;
    }
}
