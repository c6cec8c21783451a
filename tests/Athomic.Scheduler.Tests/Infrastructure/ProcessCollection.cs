namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>Tests that run many processes or much load (chaos, throughput, fuzz, Redis restarts): one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessCollection
{
    public const string Name = "processes";
}
