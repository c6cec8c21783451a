namespace Athomic.Scheduler.Redis;

/// <summary>
/// Loads the store's Lua scripts, embedded as resources (<c>Redis/Scripts/*.lua</c>); one script, one job. A line
/// <c>--#include _name</c> is replaced by the fragment <c>_name.lua</c>, so scripts share helpers without a copy; every
/// script that reads the clock takes it from <c>_now.lua</c> (the server's <c>TIME</c> in ms).
/// </summary>
/// <remarks>
/// Each script is called through one typed wrapper, and only there: a method of a <c>*Scripts</c> class
/// (<see cref="TaskScripts"/>, <see cref="DeadLetterScripts"/>, <see cref="RecurringScripts"/>,
/// <see cref="OperationsScripts"/>, <see cref="FlowScripts"/>, <see cref="StreamScripts"/>) declares the script's
/// <c>KEYS</c> from the key layout, takes typed arguments and returns what its reply reader (<c>Redis/Replies</c>)
/// makes of the reply. Every call runs through <see cref="EmbeddedScript.RunAsync{TState, T}"/>: one failure mapping.
/// </remarks>
internal static class LuaScripts
{
    private const string Include = "--#include ";

    /// <summary>The text of script <paramref name="name"/> (without <c>.lua</c>), its includes expanded.</summary>
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
    /// length (a claim's text was about half comments): without them the text hashed once per script, sent when a
    /// server does not know the script yet and kept in every server's script cache is about half as long. No script
    /// has a long string or a block comment (<c>[[</c>, kept out by <c>LuaScriptRulesTests</c>), so a line that starts
    /// with <c>--</c> is a whole comment; Lua's error messages then number the lines of the sent text.
    /// </summary>
    private static bool IsCommentOrBlank(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        return trimmed.IsEmpty || trimmed.StartsWith("--", StringComparison.Ordinal);
    }
}
