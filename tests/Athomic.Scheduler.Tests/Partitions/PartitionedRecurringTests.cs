using Athomic.Scheduler.Hosting;
using Athomic.Scheduler.InMemory;
using Athomic.Scheduler.Recurring;
using Athomic.Scheduler.Storage;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Tests.Partitions;

public sealed class PartitionedRecurringTests
{
    [Fact]
    public async Task Recurring_schedule_on_several_partitions_is_refused_naming_the_option()
    {
        var store = new PartitionedScheduleStore([new InMemoryScheduleStore(), new InMemoryScheduleStore()]);
        var scheduler = new Scheduler(store, Options.Create(new SchedulerOptions()));

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() =>
            scheduler.AddOrUpdateRecurringAsync("nightly", new GenericTask("h", default), RecurringSchedule.Every(TimeSpan.FromHours(1))));

        Assert.Contains("Athomic:Scheduler:Partitions", ex.Message);
    }
}
