using Athomic.Scheduler.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Sample;

/// <summary>The handler registry of this app, written by hand until the source generator writes it.</summary>
internal sealed class SampleHandlerRegistry : IScheduledHandlerRegistry
{
    public IReadOnlyList<ScheduledHandlerDescriptor> Handlers { get; } =
    [
        new("account.welcome-email", "AccountHandlers.SendWelcome", "WelcomeEmail", (ctx, sp, ct) =>
            new ValueTask(sp.GetRequiredService<AccountHandlers>().SendWelcome(ScheduledPayload.Deserialize<WelcomeEmail>(ctx.Payload, ctx.Handler), ct))),
        new("account.trial-end", "AccountHandlers.EndTrial", "TrialEnded", (ctx, sp, ct) =>
            new ValueTask(sp.GetRequiredService<AccountHandlers>().EndTrial(ScheduledPayload.Deserialize<TrialEnded>(ctx.Payload, ctx.Handler), ct))),
        new("account.upgrade-reminder", "AccountHandlers.RemindToUpgrade", "UpgradeReminder", (ctx, sp, ct) =>
            new ValueTask(sp.GetRequiredService<AccountHandlers>().RemindToUpgrade(ScheduledPayload.Deserialize<UpgradeReminder>(ctx.Payload, ctx.Handler), ct))),
    ];
}
