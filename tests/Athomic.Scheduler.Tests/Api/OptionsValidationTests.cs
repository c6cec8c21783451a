using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Tests.Api;

public sealed class OptionsValidationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAthomicScheduler(builder.Configuration.GetSection(SchedulerOptions.SectionName)).UseInMemoryStore();
        return builder.Build();
    }

    [Theory]
    [InlineData("Athomic:Scheduler:Worker:BatchSize", "0", "Worker:BatchSize")]
    [InlineData("Athomic:Scheduler:Worker:MaxPollDelay", "00:00:00.100", "Worker:MaxPollDelay")]
    [InlineData("Athomic:Scheduler:Worker:BackoffFactor", "0.5", "Worker:BackoffFactor")]
    [InlineData("Athomic:Scheduler:Worker:LeaseDuration", "00:00:00.010", "Worker:LeaseDuration")]
    [InlineData("Athomic:Scheduler:Execution:MaxConcurrency", "0", "Execution:MaxConcurrency")]
    [InlineData("Athomic:Scheduler:KeyPrefix", "bad{prefix}", "KeyPrefix")]
    [InlineData("Athomic:Scheduler:KeyPrefix", "bad#prefix", "KeyPrefix")]
    [InlineData("Athomic:Scheduler:MaxPayloadBytes", "-1", "MaxPayloadBytes")]
    [InlineData("Athomic:Scheduler:Streams:VisibilityTimeout", "00:00:00.500", "Streams:VisibilityTimeout")]
    [InlineData("Athomic:Scheduler:Streams:ConsumerName", "two words", "Streams:ConsumerName")]
    [InlineData("Athomic:Scheduler:RecurringMisfireThreshold", "-00:00:01", "RecurringMisfireThreshold")]
    public async Task Bad_option_fails_the_host_start_naming_the_option(string key, string value, string named)
    {
        using var host = Build(new() { [key] = value });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public async Task Options_bind_from_configuration()
    {
        using var host = Build(new()
        {
            ["Athomic:Scheduler:KeyPrefix"] = "billing",
            ["Athomic:Scheduler:Worker:BatchSize"] = "42",
            ["Athomic:Scheduler:ExistingTaskPolicy"] = "Refuse",
        });

        var options = host.Services.GetRequiredService<IOptions<SchedulerOptions>>().Value;

        Assert.Equal("billing", options.KeyPrefix);
        Assert.Equal(42, options.Worker.BatchSize);
        Assert.Equal(ExistingTaskPolicy.Refuse, options.ExistingTaskPolicy);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Worker.MaxPollDelay);
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void Adding_the_scheduler_twice_keeps_one_worker_and_applies_both_configurations()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAthomicScheduler(o => o.KeyPrefix = "first").UseInMemoryStore();
        builder.Services.AddAthomicScheduler(o => o.Worker.BatchSize = 7);
        using var host = builder.Build();

        var hosted = host.Services.GetServices<IHostedService>().ToList();
        var options = host.Services.GetRequiredService<IOptions<SchedulerOptions>>().Value;

        Assert.Single(hosted.OfType<SchedulerWorkerService>());
        Assert.Equal(("first", 7), (options.KeyPrefix, options.Worker.BatchSize));
    }

    [Fact]
    public void Missing_store_is_reported_clearly()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAthomicScheduler();
        using var host = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IScheduler>());

        Assert.Contains("UseRedis", ex.Message);
    }
}
