using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Hosting;

/// <summary>Validates <see cref="SchedulerOptions"/> at start-up; each failure names the option.</summary>
internal sealed class SchedulerOptionsValidator : IValidateOptions<SchedulerOptions>
{
    public ValidateOptionsResult Validate(string? name, SchedulerOptions options)
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }

        var w = options.Worker;
        var e = options.Execution;
        Check(
            TaskIds.IsValid(options.KeyPrefix) && !options.KeyPrefix.Contains(Storage.TaskPartitioner.PartitionSeparator, StringComparison.Ordinal),
            $"Athomic:Scheduler:KeyPrefix '{options.KeyPrefix}' must be 1 to {TaskIds.MaxLength} characters with no whitespace, '{{', '}}', '*' or '{Storage.TaskPartitioner.PartitionSeparator}' (which separates the partition number in partition hash tags).");
        Check(options.Partitions is > 0 and <= 1024, "Athomic:Scheduler:Partitions must be between 1 and 1024.");
        Check(options.MaxPayloadBytes > 0, "Athomic:Scheduler:MaxPayloadBytes must be greater than 0.");
        Check(options.MaxDelay > TimeSpan.Zero, "Athomic:Scheduler:MaxDelay must be greater than 0.");
        Check(options.GaugeRefreshInterval >= TimeSpan.FromSeconds(1), "Athomic:Scheduler:GaugeRefreshInterval must be at least 1 second.");
        Check(Enum.IsDefined(options.ExistingTaskPolicy), "Athomic:Scheduler:ExistingTaskPolicy must be Reschedule or Refuse.");
        Check(options.RecurringMisfireThreshold >= TimeSpan.Zero, "Athomic:Scheduler:RecurringMisfireThreshold must not be negative.");
        Check(w.BatchSize is > 0 and <= 10_000, "Athomic:Scheduler:Worker:BatchSize must be between 1 and 10000.");
        Check(w.MinPollDelay > TimeSpan.Zero, "Athomic:Scheduler:Worker:MinPollDelay must be greater than 0.");
        Check(w.MaxPollDelay >= w.MinPollDelay, "Athomic:Scheduler:Worker:MaxPollDelay must be at least Worker:MinPollDelay.");
        Check(w.BackoffFactor >= 1.0 && double.IsFinite(w.BackoffFactor), "Athomic:Scheduler:Worker:BackoffFactor must be a finite number of at least 1.");
        Check(w.LeaseDuration >= TimeSpan.FromSeconds(1), "Athomic:Scheduler:Worker:LeaseDuration must be at least 1 second.");
        Check(e.MaxConcurrency is > 0 and <= 10_000, "Athomic:Scheduler:Execution:MaxConcurrency must be between 1 and 10000.");
        Check(options.DeadLetters.MaxCount >= 0, "Athomic:Scheduler:DeadLetters:MaxCount must not be negative (0 keeps any number).");
        Check(options.DeadLetters.MaxAge >= TimeSpan.Zero, "Athomic:Scheduler:DeadLetters:MaxAge must not be negative (0 keeps them for ever).");
        Check(e.MaxAttempts > 0, "Athomic:Scheduler:Execution:MaxAttempts must be greater than 0.");
        Check(e.MaxDeliveries > 0, "Athomic:Scheduler:Execution:MaxDeliveries must be greater than 0.");
        Check(e.RetryBaseDelay >= TimeSpan.Zero, "Athomic:Scheduler:Execution:RetryBaseDelay must not be negative.");
        Check(e.RetryMaxDelay >= e.RetryBaseDelay, "Athomic:Scheduler:Execution:RetryMaxDelay must be at least Execution:RetryBaseDelay.");
        Check(options.Streams.VisibilityTimeout >= TimeSpan.FromSeconds(1), "Athomic:Scheduler:Streams:VisibilityTimeout must be at least 1 second.");
        Check(options.Streams.ConsumerName is null || TaskIds.IsValid(options.Streams.ConsumerName), $"Athomic:Scheduler:Streams:ConsumerName '{options.Streams.ConsumerName}' must be 1 to {TaskIds.MaxLength} characters with no whitespace, '{{', '}}' or '*'.");
        var d = options.Durability;
        Check(d.WaitForReplicas is >= 0 and <= 100, "Athomic:Scheduler:Durability:WaitForReplicas must be between 0 and 100.");
        Check(
            d.WaitForReplicas == 0 || (d.ReplicaTimeout > TimeSpan.Zero && d.ReplicaTimeout <= w.LeaseDuration / 3),
            "Athomic:Scheduler:Durability:ReplicaTimeout must be greater than 0 and at most a third of Worker:LeaseDuration (WAIT holds the connection that renews leases).");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
