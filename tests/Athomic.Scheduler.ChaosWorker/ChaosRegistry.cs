using System.Diagnostics;
using Athomic.Scheduler.Execution;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Athomic.Scheduler.ChaosWorker;

/// <summary>Where runs are recorded and how long each handler works.</summary>
/// <param name="RunsKey">The Redis hash counting runs per task id.</param>
/// <param name="Work">How long each handler works (0: a no-op besides the record).</param>
public sealed record ChaosSettings(string RunsKey, TimeSpan Work);

/// <summary>The hand-written registry of the chaos worker: one handler, <see cref="Name"/>, that records each run.</summary>
public sealed class ChaosRegistry : IScheduledHandlerRegistry
{
    /// <summary>The handler name.</summary>
    public const string Name = "chaos.run";

    /// <summary>The source of the handler's own span (<c>chaos work</c>, tagged <c>chaos.task_id</c>), which must nest under the run's span.</summary>
    public const string SourceName = "Athomic.Scheduler.ChaosWorker";

    /// <summary>The handler's source.</summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <inheritdoc />
    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; } =
    [
        new ScheduledHandlerDescriptor(Name, "ChaosWorker.Run", null, async (ctx, services, ct) =>
        {
            using var work = Source.StartActivity("chaos work");
            work?.SetTag("chaos.task_id", ctx.TaskId);
            var settings = services.GetRequiredService<ChaosSettings>();
            if (settings.Work > TimeSpan.Zero)
            {
                await Task.Delay(settings.Work, ct);
            }

            await services.GetRequiredService<IConnectionMultiplexer>().GetDatabase().HashIncrementAsync(settings.RunsKey, ctx.TaskId);
        }),
    ];
}
