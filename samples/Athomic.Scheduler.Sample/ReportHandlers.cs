using Athomic.Scheduler.Execution;

namespace Athomic.Scheduler.Sample;

/// <summary>Recurring work: a static schedule next to its handler, and a schedule added at run time with a payload.</summary>
public sealed class ReportHandlers(Timeline timeline)
{
    /// <summary>A static schedule: stored when the host starts; every later start finds it unchanged.</summary>
    [ScheduledHandler("report.heartbeat")]
    [Recurring(Every = "00:00:02")]
    public void Heartbeat(TaskContext context) => timeline.Write("RECURRING", $"heartbeat, occurrence {context.TaskId}");

    /// <summary>The sign-up report; its schedule and payload are given at run time.</summary>
    [ScheduledHandler("report.signups")]
    public void SignupReport(SignupReport report, TaskContext context) =>
        timeline.Write("RECURRING", $"sign-up report for {report.Audience}, occurrence {context.TaskId}");
}
