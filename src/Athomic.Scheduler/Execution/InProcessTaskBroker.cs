using System.Threading.Channels;
using Athomic.Scheduler.Extensibility;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Execution;

/// <summary>
/// Runs tasks in this host with bounded concurrency (<see cref="SchedulerExecutionOptions.MaxConcurrency"/>).
/// </summary>
/// <remarks>
/// No loss window: accepting a task only queues its lease in memory; the lease ends (and the store forgets the task)
/// after the handler has finished. If the process dies with tasks queued or running, their leases expire and any
/// worker reclaims them. On a graceful stop, queued tasks are handed back at once and running handlers get until
/// the host's shutdown timeout; a handler cancelled by the stop hands its task back too.
/// </remarks>
internal sealed class InProcessTaskBroker : ITaskBroker, IHostedService
{
    private readonly TaskExecutor _executor;
    private readonly Channel<TaskLease> _queue;
    private readonly int _concurrency;
    private readonly CancellationTokenSource _stopping = new();
    private Task[] _consumers = [];
    private volatile bool _stopRequested;

    public InProcessTaskBroker(TaskExecutor executor, IOptions<SchedulerOptions> options)
    {
        _executor = executor;
        _concurrency = options.Value.Execution.MaxConcurrency;
        _queue = Channel.CreateBounded<TaskLease>(new BoundedChannelOptions(_concurrency)
        {
            SingleReader = false,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ValueTask DispatchAsync(TaskLease lease, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(lease, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _consumers = new Task[_concurrency];
        for (var i = 0; i < _consumers.Length; i++)
        {
            _consumers[i] = Task.Run(ConsumeAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopRequested = true;
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var queued))
        {
            await queued.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var all = Task.WhenAll(_consumers);
        var finished = await Task.WhenAny(all, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
        if (finished != all)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    private async Task ConsumeAsync()
    {
        await foreach (var lease in _queue.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (_stopRequested)
            {
                await lease.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                continue;
            }

            await _executor.ExecuteAsync(lease, _stopping.Token).ConfigureAwait(false);
        }
    }
}
