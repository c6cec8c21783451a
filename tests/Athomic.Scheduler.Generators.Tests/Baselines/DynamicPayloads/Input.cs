using System;
using System.Collections.Immutable;
using Athomic.Scheduler;
using MessagePack;

// Payload parts the generator cannot format fall back to MessagePack's standard resolver: not Native AOT compatible.
[assembly: DynamicPayloadFormatters]

namespace Shop;

[MessagePackObject]
public sealed record Batch([property: Key(0)] string Name, [property: Key(1)] ImmutableArray<Guid> Ids);

public static class DynamicHandlers
{
    [ScheduledHandler] public static void OnIds(ImmutableArray<Guid> ids) { }
    [ScheduledHandler] public static void OnPair((string Name, TimeSpan Every) pair) { }
    [ScheduledHandler] public static void OnBatch(Batch batch) { }
}
