namespace Athomic.Scheduler.Sample;

/// <summary>The app's scheduled work. Instances are created per task from DI.</summary>
public sealed class AccountHandlers(Timeline timeline, DemoProgress progress)
{
    /// <summary>Sends the welcome email.</summary>
    [ScheduledHandler("account.welcome-email")]
    public Task SendWelcome(WelcomeEmail email, CancellationToken cancellationToken)
    {
        timeline.Write("RUN", $"welcome email to {email.Email}");
        progress.Ran("welcome");
        return Task.CompletedTask;
    }

    /// <summary>Downgrades the account when its trial ends.</summary>
    [ScheduledHandler("account.trial-end")]
    public Task EndTrial(TrialEnded trial, CancellationToken cancellationToken)
    {
        timeline.Write("RUN", $"trial ended for user {trial.UserId:N}: account downgraded");
        progress.Ran("trial-end");
        return Task.CompletedTask;
    }

    /// <summary>Reminds the user to upgrade.</summary>
    [ScheduledHandler("account.upgrade-reminder")]
    public Task RemindToUpgrade(UpgradeReminder reminder, CancellationToken cancellationToken)
    {
        timeline.Write("RUN", $"reminder to user {reminder.UserId:N}: {reminder.DaysLeft} days left");
        progress.Ran("reminder");
        return Task.CompletedTask;
    }
}
