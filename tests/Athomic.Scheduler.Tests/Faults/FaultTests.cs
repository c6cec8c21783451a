using Athomic.Scheduler.Tests.Contention;
using Athomic.Scheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Faults;

/// <summary>
/// The fault-injection harness (issue 21): a seeded contention plan over three workers whose connections to
/// redis-server go through fault proxies that stall (past the client timeout and past the lease), delay and reset them,
/// one way or both, on one worker or all, plus poison tasks; checked by <see cref="FaultChecker"/>, which is the
/// contention harness's checker plus the fault rules. A fresh seed per run; <c>ATHOMIC_CONTENTION_SEED</c> replays one.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    /// <summary>The CI variant: one plan per broker, about 25-35 s each.</summary>
    [Theory]
    [Trait("Category", "Faults")]
    [InlineData("inprocess", 1)]
    [InlineData("streams", 4)]
    public Task Faults_and_poison_tasks_keep_the_contract(string broker, int partitions) =>
        RunAsync(new FaultVariant(broker, partitions), ContentionRun.Seed());

    /// <summary>
    /// Replays one variant (<c>ATHOMIC_FAULT_VARIANT</c>, as a failure prints it: <c>faults-streams-p4-x3</c>) with the seed of
    /// <c>ATHOMIC_CONTENTION_SEED</c>: every failure's replay command, the soak's included. Skipped unless the variant is set.
    /// </summary>
    [FaultReplayFact]
    [Trait("Category", "Faults")]
    public Task Replay_a_fault_variant() =>
        RunAsync(FaultVariant.Parse(Environment.GetEnvironmentVariable(FaultVariant.Variable)!), ContentionRun.Seed());

    /// <summary>The soak: random seeds over every fault variant, with plans three times as long, for ATHOMIC_CONTENTION_SOAK_MINUTES minutes.</summary>
    [SoakFact]
    [Trait("Category", "Soak")]
    public Task Soak_random_seeds_with_faults_over_every_variant() =>
        SoakFactAttribute.LoopAsync("fault soak", Log, async (i, seed) =>
        {
            var outcome = await FaultRun.RunAsync(FaultVariant.All[i % FaultVariant.All.Length] with { Scale = 3 }, seed, Log);
            return outcome.Violations.Count > 0 ? outcome.FailureMessage(5) : null;
        });

    private async Task RunAsync(FaultVariant variant, int seed)
    {
        var outcome = await FaultRun.RunAsync(variant, seed, Log);
        Assert.True(outcome.Violations.Count == 0, outcome.FailureMessage());
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}

/// <summary>A fact that runs only when <see cref="FaultVariant.Variable"/> names the variant to replay (a skip, not a vacuous pass).</summary>
public sealed class FaultReplayFactAttribute : FactAttribute
{
    public FaultReplayFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(FaultVariant.Variable)))
        {
            Skip = $"set {FaultVariant.Variable} (e.g. faults-streams-p4-x3) and {ContentionRun.SeedVariable} to replay a failure";
        }
    }
}
