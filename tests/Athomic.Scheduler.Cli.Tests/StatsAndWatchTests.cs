using System.Text.Json;
using Athomic.Scheduler.Cli.Tests.Infrastructure;

namespace Athomic.Scheduler.Cli.Tests;

/// <summary><c>stats</c> and <c>watch</c>: counts per partition and in all.</summary>
[Collection(RedisCollection.Name)]
public sealed class StatsAndWatchTests(RedisFixture redis)
{
    [Fact]
    public async Task Stats_counts_pending_in_flight_dead_and_recurring_per_partition_and_in_all()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString, partitions: 4);
        for (var i = 0; i < 12; i++)
        {
            await schedule.ScheduleAsync($"stats:{i}", TimeSpan.FromHours(1));
        }

        await schedule.DeadLetterAsync("stats:dead:1", "stats:dead:2");
        await schedule.Scheduler.AddOrUpdateRecurringAsync("stats.recurring", new GenericTask(ScheduleUnderTest.Ok, ReadOnlyMemory<byte>.Empty), RecurringSchedule.Cron("0 0 1 1 *")); // next due months ahead
        await schedule.HoldInFlightAsync("stats:held");

        var text = await Tool.RunAsync(schedule, "stats");
        var json = await Tool.RunAsync(schedule, "stats", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.All(text.Lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.StartsWith($"{schedule.Prefix}, 4 partitions, at ", text.Lines[0]);
        Assert.Equal(["PARTITION", "PENDING", "IN", "FLIGHT", "DEAD", "RECURRING", "NEXT", "DUE", "(UTC)", "LATE"], text.Lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(7, text.Lines.Length); // title, header, 4 partitions, total
        var total = text.Lines[6].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("total", total[0]);
        var stats = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal(4, stats.GetProperty("partitions").GetArrayLength());
        var sum = stats.GetProperty("total");
        // 12 pending, plus the recurring schedule's first occurrence.
        Assert.Equal(13, sum.GetProperty("pending").GetInt64());
        Assert.Equal(1, sum.GetProperty("inFlight").GetInt64());
        Assert.Equal(2, sum.GetProperty("dead").GetInt64());
        Assert.Equal(1, sum.GetProperty("recurring").GetInt64());
        Assert.Equal(13, stats.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("pending").GetInt64()));
        Assert.Equal([total[1], total[2], total[3], total[4]], ["13", "1", "2", "1"]);
    }

    [Fact]
    public async Task Watch_refreshes_the_counts_the_given_number_of_times()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        await schedule.ScheduleAsync("watch:1", TimeSpan.FromHours(1));

        var text = await Tool.RunAsync(schedule, "watch", "--iterations", "3", "--interval", "0.1");
        var json = await Tool.RunAsync(schedule, "watch", "--iterations", "2", "--interval", "0.1", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(3, text.Lines.Count(l => l.StartsWith("total ", StringComparison.Ordinal)));
        Assert.DoesNotContain("\u001b[", text.Out); // no screen control when the output is not a terminal
        var frames = json.Lines;
        Assert.Equal(2, frames.Length);
        Assert.All(frames, f => Assert.Equal(1, JsonDocument.Parse(f).RootElement.GetProperty("total").GetProperty("pending").GetInt64()));
    }

    [Fact]
    public async Task Watch_without_a_count_runs_until_cancelled_and_then_exits_0()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        var output = new SignallingWriter("total ");
        using var stop = new CancellationTokenSource();
        var environment = CliEnvironment.For(Path.GetTempPath());
        var run = Program.RunAsync(
            ["watch", "--interval", "0.1", "--redis", schedule.ConnectionString, "--key-prefix", schedule.Prefix],
            output, TextWriter.Null, environment, handleCtrlC: false, stop.Token);

        await output.Seen(2).WaitAsync(TimeSpan.FromSeconds(30)); // two refreshes, then Ctrl+C
        stop.Cancel();

        Assert.Equal(ExitCodes.Ok, await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task An_interactive_watch_redraws_the_screen()
    {
        await using var schedule = ScheduleUnderTest.Create(redis.ConnectionString);
        var environment = CliEnvironment.For(Path.GetTempPath()) with { Interactive = true, TerminalWidth = 80 };

        var result = await Tool.RunAsync(environment, ["watch", "--iterations", "2", "--interval", "0.1", "--redis", schedule.ConnectionString, "--key-prefix", schedule.Prefix]);

        Assert.Equal(2, result.Out.Split("\u001b[H\u001b[2J").Length - 1);
        Assert.Contains("Ctrl+C to stop", result.Out);
    }

    /// <summary>A writer that completes a task once a line starting with a marker was written N times.</summary>
    private sealed class SignallingWriter(string marker) : StringWriter
    {
        private readonly object _gate = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private int _seen;

        public Task Seen(int count)
        {
            lock (_gate)
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_seen >= count)
                {
                    done.SetResult();
                }
                else
                {
                    _waiters.Add((count, done));
                }

                return done.Task;
            }
        }

        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.StartsWith(marker, StringComparison.Ordinal) != true)
            {
                return;
            }

            lock (_gate)
            {
                _seen++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _seen))
                {
                    waiter.Done.TrySetResult();
                }
            }
        }
    }
}
