namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>
/// Tests that run many processes or much load (chaos, throughput, fuzz, Redis restarts): one at a time, after the
/// parallel tests, so neither their figures nor the other tests are disturbed by the load.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "processes";
}
