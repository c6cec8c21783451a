namespace Athomic.Scheduler.Redis;

/// <summary>
/// The store's Lua scripts, embedded as resources (<c>Redis/Scripts/*.lua</c>); one script, one job. A line
/// <c>--#include _name</c> is replaced by the fragment <c>_name.lua</c>, so scripts share helpers without a copy; every
/// script that reads the clock takes it from <c>_now.lua</c> (the server's <c>TIME</c> in ms). Each script's reply is
/// read by one small reader in <c>Redis/Replies</c>, which documents its layout.
/// </summary>
internal static class LuaScripts
{
    public static readonly string Schedule = Load("schedule");
    public static readonly string Claim = Load("claim");
    public static readonly string Ack = Load("ack");
    public static readonly string Retry = Load("retry");
    public static readonly string Release = Load("release");
    public static readonly string Extend = Load("extend");
    public static readonly string Cancel = Load("cancel");
    public static readonly string Get = Load("get");
    public static readonly string DeadLetter = Load("deadletter");
    public static readonly string DeadLetters = Load("deadletters");
    public static readonly string Requeue = Load("requeue");
    public static readonly string Purge = Load("purge");
    public static readonly string Promote = Load("promote");
    public static readonly string StreamAck = Load("stream_ack");
    public static readonly string StreamRetry = Load("stream_retry");
    public static readonly string StreamHandBack = Load("stream_handback");
    public static readonly string StreamDeadLetter = Load("stream_deadletter");
    public static readonly string StreamKeepAlive = Load("stream_keepalive");
    public static readonly string StreamForget = Load("stream_forget");
    public static readonly string StreamName = Load("stream_name");
    public static readonly string StreamNameRelease = Load("stream_name_release");
    public static readonly string StreamRemoveConsumers = Load("stream_remove_consumers");
    public static readonly string RecurringUpsert = Load("recurring_upsert");
    public static readonly string RecurringRemove = Load("recurring_remove");
    public static readonly string RecurringDue = Load("recurring_due");
    public static readonly string RecurringAdd = Load("recurring_add");
    public static readonly string Stats = Load("stats");
    public static readonly string OpsTasks = Load("ops_tasks");
    public static readonly string OpsTask = Load("ops_task");
    public static readonly string OpsRunNow = Load("ops_run_now");
    public static readonly string OpsRecurring = Load("ops_recurring");
    public static readonly string OpsWaiting = Load("ops_waiting");
    public static readonly string Park = Load("park");
    public static readonly string Unpark = Load("unpark");
    public static readonly string StreamPark = Load("stream_park");
    public static readonly string FlowAcquire = Load("flow_acquire");
    public static readonly string FlowRelease = Load("flow_release");
    public static readonly string FlowExtend = Load("flow_extend");
    public static readonly string FlowPause = Load("flow_pause");
    public static readonly string FlowDescribe = Load("flow_describe");

    /// <summary>The claim and the ack by SHA1 (<see cref="ShaScript"/>): the scripts a worker calls per batch and per ack.</summary>
    public static readonly ShaScript ClaimBySha = new(Claim);

    /// <inheritdoc cref="ClaimBySha"/>
    public static readonly ShaScript AckBySha = new(Ack);

    private const string Include = "--#include ";

    internal static string Load(string name)
    {
        var resource = $"Athomic.Scheduler.Redis.Scripts.{name}.lua";
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded script {resource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var text = new System.Text.StringBuilder();
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith(Include, StringComparison.Ordinal))
            {
                text.Append(Load(line[Include.Length..].Trim()));
            }
            else if (!IsCommentOrBlank(line))
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Whether a line is only a comment or blank: left out of the text sent to Redis. The scripts are documented at
    /// length, and StackExchange.Redis hashes a script's whole text on every call to find its SHA (a claim's text was
    /// about half comments), so the comments cost the hot path each poll and each ack. No script has a long string or
    /// a block comment (<c>[[</c>), so a line that starts with <c>--</c> is a whole comment; Lua's error messages then
    /// number the lines of the sent text.
    /// </summary>
    private static bool IsCommentOrBlank(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.IsEmpty || trimmed.StartsWith("--", StringComparison.Ordinal);
    }
}
