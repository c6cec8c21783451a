using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Execution;

/// <summary>Reads the concurrency key (<see cref="ConcurrencyKeyAttribute"/>) of a handler's encoded payload.</summary>
/// <param name="payload">The task's MessagePack payload.</param>
/// <returns>The key as a stable string: the same value gives the same string in every process.</returns>
/// <exception cref="TaskPayloadException">The payload cannot be decoded.</exception>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)] // used by generated code
public delegate string ConcurrencyKeySelector(ReadOnlyMemory<byte> payload);
