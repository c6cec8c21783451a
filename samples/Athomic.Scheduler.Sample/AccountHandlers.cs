namespace Athomic.Scheduler.Sample;

/// <summary>The app's scheduled work. Instances are created per task from DI.</summary>
public sealed class AccountHandlers(Timeline timeline, DemoProgress progress)
{
    /// <summary>Sends the welcome email.</summary>
    [ScheduledHandler("account.welcome-email")]
    public Task SendWelcome(WelcomeEmail email, CancellationToken cancellationToken)
    {
        timeline.Write(progress.Ran(email.UserId) ? "RUN" : "RUN (old)", $"welcome email to {email.Email}");
        return Task.CompletedTask;
    }

    /// <summary>Downgrades the account when its trial ends.</summary>
    [ScheduledHandler("account.trial-end")]
    public Task EndTrial(TrialEnded trial, CancellationToken cancellationToken)
    {
        timeline.Write(progress.Ran(trial.UserId) ? "RUN" : "RUN (old)", $"trial ended for user {trial.UserId:N}: account downgraded");
        return Task.CompletedTask;
    }

    /// <summary>Reminds the user to upgrade.</summary>
    [ScheduledHandler("account.upgrade-reminder")]
    public Task RemindToUpgrade(UpgradeReminder reminder, CancellationToken cancellationToken)
    {
        timeline.Write(progress.Ran(reminder.UserId) ? "RUN" : "RUN (old)", $"reminder to user {reminder.UserId:N}: {reminder.DaysLeft} days left");
        return Task.CompletedTask;
    }
}
