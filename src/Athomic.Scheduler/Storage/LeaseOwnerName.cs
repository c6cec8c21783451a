namespace Athomic.Scheduler.Storage;

/// <summary>The name this process gives its leases: <c>{machine}-{process id}</c>, shown as an in-flight task's owner.</summary>
internal static class LeaseOwnerName
{
    /// <summary>This process's name.</summary>
    public static string Current { get; } = Create();

    private static string Create()
    {
        var machine = new string(Environment.MachineName.Where(c => TaskIds.IsValid(c.ToString())).ToArray());
        return $"{(machine.Length == 0 ? "host" : machine)}-{Environment.ProcessId}";
    }
}
