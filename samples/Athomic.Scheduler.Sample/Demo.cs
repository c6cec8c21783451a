using Microsoft.Extensions.Hosting;

namespace Athomic.Scheduler.Sample;

/// <summary>Counts this run's handler runs so the demo knows when it is over (tasks left by an earlier run also run).</summary>
public sealed class DemoProgress
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<Guid> _users = new();
    private int _runs;

    public int Expected { get; set; } = int.MaxValue;

    public Task Done => _done.Task;

    public void Track(Guid user)
    {
        lock (_users)
        {
            _users.Add(user);
        }
    }

    /// <summary>Records a run; returns false for a task scheduled by an earlier run of the sample.</summary>
    public bool Ran(Guid user)
    {
        lock (_users)
        {
            if (!_users.Contains(user))
            {
                return false;
            }
        }

        if (Interlocked.Increment(ref _runs) >= Expected)
        {
            _done.TrySetResult();
        }

        return true;
    }
}

/// <summary>Plays a short story: two users sign up, one upgrades (their reminder and trial end are cancelled).</summary>
public sealed class Demo(IScheduler scheduler, Timeline timeline, DemoProgress progress, IHostApplicationLifetime lifetime, DemoSettings settings) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var alice = Guid.NewGuid();
        var bob = Guid.NewGuid();
        progress.Expected = 4; // two welcome emails, Alice's reminder and Alice's trial end

        await SignUpAsync(alice, "alice@example.com", stoppingToken);
        await SignUpAsync(bob, "bob@example.com", stoppingToken);

        // A recurring schedule with a typed payload: every 2 seconds (6 fields: seconds first), once per occurrence.
        await scheduler.AddOrUpdateRecurringSignupReportAsync("report.signups.ops", new SignupReport("ops"), RecurringSchedule.Cron("*/2 * * * * *"), stoppingToken);
        timeline.Write("RECURRING", "sign-up report for ops every 2 s; heartbeat every 2 s from [Recurring(Every = \"00:00:02\")]");

        await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken);
        timeline.Write("UPGRADE", "bob upgrades to a paid plan");
        var reminderCancelled = await scheduler.CancelAsync($"reminder:{bob:N}", stoppingToken);
        var trialCancelled = await scheduler.CancelAsync($"trial:{bob:N}", stoppingToken);
        timeline.Write("CANCEL", $"bob's reminder: {(reminderCancelled ? "cancelled" : "not pending")}, bob's trial end: {(trialCancelled ? "cancelled" : "not pending")}");

        await progress.Done.WaitAsync(stoppingToken);
        var removed = await scheduler.RemoveRecurringAsync("report.signups.ops", stoppingToken);
        timeline.Write("RECURRING", $"sign-up report schedule {(removed ? "removed" : "was gone")}");
        timeline.Write("DONE", settings.KeepRunning ? "demo over; still running (Ctrl+C to stop)" : "demo over");
        if (!settings.KeepRunning)
        {
            lifetime.StopApplication();
        }
    }

    private async Task SignUpAsync(Guid user, string email, CancellationToken ct)
    {
        progress.Track(user);
        timeline.Write("SIGN-UP", email);
        // Generated, compile-time checked: the handler name and the payload type cannot drift.
        var welcome = await scheduler.ScheduleSendWelcomeAsync(new WelcomeEmail(user, email), TimeSpan.FromSeconds(2), cancellationToken: ct);
        var reminder = await scheduler.ScheduleRemindToUpgradeAsync(new UpgradeReminder(user, 3), TimeSpan.FromSeconds(4), $"reminder:{user:N}", ct);
        var trial = await scheduler.ScheduleEndTrialAsync(new TrialEnded(user), TimeSpan.FromSeconds(6), $"trial:{user:N}", ct);
        timeline.Write("SCHEDULE", $"welcome in 2 s ({welcome}), reminder in 4 s ({reminder}), trial end in 6 s ({trial})");
    }
}

/// <summary>Command-line switches of the sample.</summary>
public sealed record DemoSettings(bool KeepRunning);
