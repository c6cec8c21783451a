using System.CommandLine;
using StackExchange.Redis;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>Runs a command's body with a session and turns failures into messages and exit codes.</summary>
internal sealed class CommandRunner(GlobalOptions options, CliEnvironment environment)
{
    /// <summary>Sets <paramref name="command"/>'s action: open a session, run <paramref name="body"/>, close.</summary>
    public void Connect(Command command, Func<CommandContext, SchedulerSession, CancellationToken, Task<int>> body) =>
        Set(command, async (context, ct) =>
        {
            await using var session = await context.OpenAsync().ConfigureAwait(false);
            return await body(context, session, ct).ConfigureAwait(false);
        });

    /// <summary>Sets <paramref name="command"/>'s action to <paramref name="body"/>, with the failure handling.</summary>
    public void Set(Command command, Func<CommandContext, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, ct) =>
        {
            var context = new CommandContext(parse, options, environment);
            try
            {
                return await body(context, ct).ConfigureAwait(false);
            }
            catch (UsageException ex)
            {
                context.Fail(ex.Message);
                return ExitCodes.Usage;
            }
            catch (ArgumentException ex)
            {
                context.Fail(ex.Message);
                return ExitCodes.Usage;
            }
            catch (RedisUnreachableException ex)
            {
                context.Fail(ex.Message);
                return ExitCodes.Unavailable;
            }
            catch (SchedulerReplicationException ex)
            {
                // Applied on the master, not confirmed by the replicas the settings ask for (Durability:WaitForReplicas).
                context.Fail("Redis replicas did not confirm the write: " + ex.Message);
                return ExitCodes.Unavailable;
            }
            catch (Exception ex) when (ex is SchedulerUnavailableException or RedisException)
            {
                context.Fail("Redis failed: " + ex.Message);
                return ExitCodes.Unavailable;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                context.Fail("interrupted");
                return ExitCodes.Interrupted;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                context.Fail($"unexpected error: {ex.GetType().Name}: {ex.Message}");
                return ExitCodes.Failed;
            }
        });
}
