using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Client;

/// <summary>The <see cref="IDeadLetterQueue"/> over the configured <see cref="IDeadLetterStore"/>.</summary>
internal sealed class DeadLetterQueue(IDeadLetterStore store) : IDeadLetterQueue
{
    public const int MaxPageSize = 1000;

    public Task<DeadLetterPage> ListAsync(int offset = 0, int count = 100, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxPageSize);
        return store.ListDeadLettersAsync(offset, count, cancellationToken);
    }

    public Task<DeadLetter?> GetAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        return store.GetDeadLetterAsync(taskId, cancellationToken);
    }

    public async Task<DeadLetterRequeueResult> RequeueAsync(string taskId, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        var letter = await store.GetDeadLetterAsync(taskId, cancellationToken).ConfigureAwait(false);
        if (letter is null)
        {
            return DeadLetterRequeueResult.NotFound;
        }

        var task = letter.TryReadTask();
        var envelope = task is null ? letter.Envelope : TaskEnvelope.Write(task.WithExecution(1, null));
        return await store.RequeueDeadLetterAsync(taskId, envelope, delay, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> PurgeAsync(string taskId, CancellationToken cancellationToken = default)
    {
        TaskIds.Validate(taskId);
        return await store.PurgeDeadLettersAsync([taskId], cancellationToken).ConfigureAwait(false) > 0;
    }

    public Task<long> PurgeAllAsync(CancellationToken cancellationToken = default) => store.PurgeDeadLettersAsync(null, cancellationToken);
}
