using System;
using System.Threading;
using System.Threading.Tasks;
using Athomic.Scheduler;
using Athomic.Scheduler.Execution;
using MessagePack;

namespace MyApp.Billing;

public interface IBilling
{
    Task DowngradeAsync(Guid userId, CancellationToken cancellationToken);
}

[MessagePackObject]
public sealed record TrialEnded([property: Key(0)] Guid UserId);

public sealed class TrialHandlers(IBilling billing)
{
    /// <summary>
    /// Ends the trial of <paramref name="payload"/>'s user: see <see cref="IBilling.DowngradeAsync"/>
    /// and <see cref="T:MyApp.Billing.TrialEnded"/>; never <see langword="null"/> &amp; never late.
    /// <para>Runs once per user.</para>
    /// </summary>
    /// <param name="payload">The user.</param>
    [ScheduledHandler("trial.end")]
    public Task EndTrial(TrialEnded payload, CancellationToken ct) => billing.DowngradeAsync(payload.UserId, ct);

    /// <summary>Warns the user <c>3</c> days ahead.</summary>
    [ScheduledHandler("trial.warn")]
    public ValueTask WarnAsync(TaskContext context, TrialEnded payload) => default;

    [ScheduledHandler]
    internal void Audit(CancellationToken cancellationToken) { }
}

public class ReportHandlers
{
    [ScheduledHandler]
    public async ValueTask Render(CancellationToken cancellationToken, string reportName) => await Task.Yield();
}
