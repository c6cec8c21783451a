using System.Globalization;
using Athomic.Scheduler.Storage;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Athomic.Scheduler.Health;

/// <summary>The four checks of <c>AddAthomicSchedulerHealthChecks()</c>; each reads what it needs, the store through the shared cached snapshot.</summary>
internal sealed class SchedulerHealthCheck : IHealthCheck
{
    public const string StoreName = "athomic-scheduler-redis";
    public const string WorkerName = "athomic-scheduler-worker";
    public const string LatenessName = "athomic-scheduler-lateness";
    public const string DeadLettersName = "athomic-scheduler-dead-letters";

    private readonly Check _check;
    private readonly ScheduleStatistics _statistics;
    private readonly WorkerHeartbeat _heartbeat;
    private readonly SchedulerHealthCheckOptions _options;
    private readonly SchedulerOptions _scheduler;
    private readonly TimeProvider _time;

    public SchedulerHealthCheck(
        Check check, ScheduleStatistics statistics, WorkerHeartbeat heartbeat, SchedulerHealthCheckOptions options, SchedulerOptions scheduler, TimeProvider time)
    {
        _check = check;
        _statistics = statistics;
        _heartbeat = heartbeat;
        _options = options;
        _scheduler = scheduler;
        _time = time;
    }

    public enum Check
    {
        Store,
        Worker,
        Lateness,
        DeadLetters,
    }

    /// <summary>The worker poll timeout in force: the option, or twice <c>Worker:MaxPollDelay</c> but at least 10 s.</summary>
    internal static TimeSpan PollTimeout(SchedulerHealthCheckOptions options, SchedulerOptions scheduler) =>
        options.WorkerPollTimeout ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, scheduler.Worker.MaxPollDelay.Ticks * 2));

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_check == Check.Worker)
        {
            return CheckWorker();
        }

        ScheduleSnapshot snapshot;
        try
        {
            snapshot = await _statistics.ReadAsync(_options.MaxSnapshotAge, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The schedule store cannot be reached: " + ex.Message, ex);
        }

        return _check switch
        {
            Check.Store => HealthCheckResult.Healthy(
                $"The schedule store answered: {snapshot.Partitions.Sum(p => p.Pending)} pending, {snapshot.Partitions.Sum(p => p.InFlight)} in flight.",
                Data(snapshot)),
            Check.Lateness => CheckLateness(context, snapshot),
            _ => CheckDeadLetters(context, snapshot),
        };
    }

    private HealthCheckResult CheckWorker()
    {
        if (!_scheduler.Worker.Enabled)
        {
            return HealthCheckResult.Healthy("This host runs no worker (Athomic:Scheduler:Worker:Enabled is false).");
        }

        var timeout = PollTimeout(_options, _scheduler);
        if (_heartbeat.LastPollAt is not { } last)
        {
            return HealthCheckResult.Unhealthy("The worker loop of this host has not started.");
        }

        var silence = _time.GetUtcNow() - last;
        var data = new Dictionary<string, object> { ["last_poll"] = last, ["silence_seconds"] = silence.TotalSeconds };
        if (!_heartbeat.Running)
        {
            return HealthCheckResult.Unhealthy("The worker loop of this host has stopped.", data: data);
        }

        return silence > timeout
            ? HealthCheckResult.Unhealthy($"The worker loop of this host has not polled for {Seconds(silence)} (expected within {Seconds(timeout)}).", data: data)
            : HealthCheckResult.Healthy($"The worker loop polled {Seconds(silence)} ago.", data);
    }

    private HealthCheckResult CheckLateness(HealthCheckContext context, ScheduleSnapshot snapshot)
    {
        var lateness = snapshot.Lateness;
        var data = Data(snapshot);
        data["lateness_seconds"] = lateness.TotalSeconds;
        return lateness > _options.LatenessThreshold
            ? new HealthCheckResult(context.Registration.FailureStatus, $"The first due task is {Seconds(lateness)} late (threshold {Seconds(_options.LatenessThreshold)}).", data: data)
            : HealthCheckResult.Healthy($"The first due task is {Seconds(lateness)} late.", data);
    }

    private HealthCheckResult CheckDeadLetters(HealthCheckContext context, ScheduleSnapshot snapshot)
    {
        var window = (long)_options.DeadLetterWindow.TotalMilliseconds;
        var recent = snapshot.Partitions.Count(p => p.NewestDeadLetterMilliseconds is { } at && p.NowMilliseconds - at <= window);
        var data = Data(snapshot);
        var total = snapshot.Partitions.Sum(p => p.DeadLetters);
        return recent > 0
            ? new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Dead letters are growing: {recent} partition(s) added one within the last {Seconds(_options.DeadLetterWindow)}; {total} kept.",
                data: data)
            : HealthCheckResult.Healthy($"No dead letter was added within the last {Seconds(_options.DeadLetterWindow)}; {total} kept.", data);
    }

    private static Dictionary<string, object> Data(ScheduleSnapshot snapshot) => new()
    {
        ["pending"] = snapshot.Partitions.Sum(p => p.Pending),
        ["in_flight"] = snapshot.Partitions.Sum(p => p.InFlight),
        ["dead_letters"] = snapshot.Partitions.Sum(p => p.DeadLetters),
        ["partitions"] = snapshot.Partitions.Count,
    };

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
}
