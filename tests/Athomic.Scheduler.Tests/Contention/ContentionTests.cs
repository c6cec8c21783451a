using Athomic.Scheduler.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Athomic.Scheduler.Tests.Contention;

/// <summary>
/// The randomized contention harness (issue 11): a seeded plan of schedules, reschedules (also of running ids),
/// cancels and slow, throwing and hanging handlers, driven against three workers on real redis-server; the run history
/// (recorded outside Redis) is checked against the contract by <see cref="ContentionChecker"/>. The seed is printed in
/// every failure; <c>ATHOMIC_CONTENTION_SEED</c> replays it. See Contention/README.md.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ContentionTests(ITestOutputHelper output)
{
    /// <summary>Variant A: three in-process hosts, no kills.</summary>
    [Theory]
    [Trait("Category", "Contention")]
    [InlineData("inprocess", 1)]
    [InlineData("inprocess", 4)]
    [InlineData("streams", 1)]
    [InlineData("streams", 4)]
    public Task In_process_hosts_keep_the_contract_under_contention(string broker, int partitions) =>
        RunAsync(new ContentionVariant(broker, partitions, Kills: false), ContentionRun.Seed());

    /// <summary>Variant B: three chaos worker processes, SIGKILLed at random and restarted.</summary>
    [Theory]
    [Trait("Category", "Contention")]
    [InlineData("inprocess", 1)]
    [InlineData("streams", 4)]
    public Task Worker_processes_killed_at_random_lose_nothing(string broker, int partitions) =>
        RunAsync(new ContentionVariant(broker, partitions, Kills: true), ContentionRun.Seed());

    /// <summary>Seeds whose histories the checker rejected on the runtime before the claim/lease/completion rewrite.</summary>
    [Theory]
    [Trait("Category", "ContentionRegression")]
    [MemberData(nameof(RegressionSeeds))]
    public Task Seeds_that_found_violations_now_pass(string broker, int partitions, bool kills, int seed) =>
        RunAsync(new ContentionVariant(broker, partitions, kills), seed);

    /// <summary>(broker, partitions, kills, seed): each rejected on the runtime before its fix (see README).</summary>
    public static TheoryData<string, int, bool, int> RegressionSeeds => new()
    {
        { "inprocess", 1, false, 1001 }, // runs twice (slow handlers, backlog); lost retry; both versions at once
        { "inprocess", 4, false, 1001 },
        { "streams", 1, false, 1001 },   // reschedule of a queued id: Scheduled (1), both versions run at once
        { "streams", 4, false, 1001 },
        { "inprocess", 1, true, 1001 },
        { "streams", 4, true, 1001 },
        { "inprocess", 1, false, 7 },    // a throwing version's retry lost (LOST: never completed nor dead-lettered)
        { "streams", 4, false, 7 },
        { "streams", 4, false, 88283 }, // flow control: a queued version over its limit was parked and replaced by the
        { "streams", 4, true, 88283 },  // version held back behind it, so the claimed version never ran (issue 20)
    };

    /// <summary>The soak: random seeds over every variant for ATHOMIC_CONTENTION_SOAK_MINUTES minutes.</summary>
    [SoakFact]
    [Trait("Category", "Soak")]
    public Task Soak_random_seeds_over_every_variant() =>
        SoakFactAttribute.LoopAsync("soak", Log, async (i, seed) =>
        {
            var outcome = await ContentionRun.RunAsync(ContentionVariant.All[i % ContentionVariant.All.Length], seed, Log);
            return outcome.Violations.Count > 0 ? outcome.FailureMessage(5) : null;
        });

    private async Task RunAsync(ContentionVariant variant, int seed)
    {
        var outcome = await ContentionRun.RunAsync(variant, seed, Log);
        Assert.True(outcome.Violations.Count == 0, outcome.FailureMessage());
    }

    private void Log(string line)
    {
        output.WriteLine(line);
        Console.WriteLine(line);
    }
}

/// <summary>A fact that runs only when <see cref="Variable"/> is set (the soak takes as many minutes as it says).</summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public const string Variable = "ATHOMIC_CONTENTION_SOAK_MINUTES";

    /// <summary>
    /// Runs <paramref name="run"/> (run index, seed → a failure message, or <see langword="null"/>) with a new seed each
    /// time (the first from <see cref="ContentionRun.SeedVariable"/> when set) for <see cref="Variable"/> minutes, then
    /// fails with every rejected seed.
    /// </summary>
    public static async Task LoopAsync(string what, Action<string> log, Func<int, int, Task<string?>> run)
    {
        var minutes = double.Parse(Environment.GetEnvironmentVariable(Variable)!, System.Globalization.CultureInfo.InvariantCulture);
        var until = DateTime.UtcNow.AddMinutes(minutes);
        var seed = ContentionRun.Seed();
        var failures = new List<string>();
        var runs = 0;
        for (var i = 0; DateTime.UtcNow < until; i++, seed = unchecked(seed * 1_103_515_245 + 12_345) & int.MaxValue)
        {
            runs++;
            if (await run(i, seed) is { } failure)
            {
                failures.Add(failure);
            }
        }

        log($"{what}: {runs} runs in {minutes} min, {failures.Count} rejected");
        Assert.True(failures.Count == 0, $"{failures.Count} of {runs} {what} runs were rejected:\n" + string.Join("\n", failures));
    }

    public SoakFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"set {Variable} (e.g. 10) to run the soak";
        }
    }
}
