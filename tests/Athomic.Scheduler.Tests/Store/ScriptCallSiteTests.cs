using System.Reflection;
using System.Text.RegularExpressions;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// The Lua contract lives in one place: only <c>Redis/EmbeddedScript.cs</c> sends a script to Redis (so every call
/// goes through one failure mapping and one reply check; it takes the keys it is given), only the <c>Redis/*Scripts.cs</c>
/// wrappers load scripts and build <c>KEYS</c>, and every script has exactly one wrapper. Read from the library's sources (comments left out).
/// </summary>
public sealed partial class ScriptCallSiteTests
{
    private const string Runner = "Redis/EmbeddedScript.cs";

    private static readonly Assembly Library = typeof(Redis.LuaScripts).Assembly;

    [Fact]
    public void Only_the_script_runner_sends_scripts()
    {
        var offenders = Sources().Where(s => s.Path != Runner && SendsScript().IsMatch(s.Code)).Select(s => s.Path).ToList();

        Assert.True(offenders.Count == 0, $"Send scripts through a wrapper in Redis/*Scripts.cs (which runs them with {Runner}), not from:\n" + string.Join("\n", offenders));
        Assert.Matches(SendsScript(), Sources().Single(s => s.Path == Runner).Code);
    }

    [Fact]
    public void Only_the_wrappers_load_scripts_and_build_keys()
    {
        var offenders = Sources()
            .Where(s => !IsWrapper(s.Path) && s.Path != Runner && (BuildsKeys().IsMatch(s.Code) || LoadsScript().IsMatch(s.Code)))
            .Select(s => s.Path)
            .ToList();

        Assert.True(offenders.Count == 0, "Build a script's KEYS (and load the script) in its wrapper in Redis/*Scripts.cs, not in:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void Every_script_has_one_wrapper()
    {
        var loaded = Sources().Where(s => IsWrapper(s.Path)).SelectMany(s => LoadsScript().Matches(s.Code).Select(m => m.Groups["name"].Value)).ToList();
        var embedded = Library.GetManifestResourceNames()
            .Where(n => n.EndsWith(".lua", StringComparison.Ordinal))
            .Select(n => n["Athomic.Scheduler.Redis.Scripts.".Length..^".lua".Length])
            .Where(n => !n.StartsWith('_')) // fragments, included by the scripts
            .ToList();

        Assert.Empty(loaded.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key)); // loaded twice
        Assert.Empty(embedded.Except(loaded)); // no wrapper
        Assert.Empty(loaded.Except(embedded)); // no such script
    }

    [Fact]
    public void The_rules_see_a_call_site_that_breaks_them()
    {
        const string code = "var r = await db.ScriptEvaluateAsync(text, new RedisKey[] { keys.Pending }, args);";

        Assert.Matches(SendsScript(), code);
        Assert.Matches(BuildsKeys(), code);
        Assert.Matches(BuildsKeys(), "private readonly RedisKey[] _keys = [a, b];");
        Assert.Matches(SendsScript(), "db.ExecuteAsync(\"EVALSHA\", sha, 1, key)");
        Assert.Matches(LoadsScript(), "EmbeddedScript.Load(\"claim\")");
        Assert.DoesNotMatch(SendsScript(), Code("// ScriptEvaluateAsync is called by the wrappers only\nvar x = 1;"));
    }

    private static bool IsWrapper(string path) => path.StartsWith("Redis/", StringComparison.Ordinal) && path.EndsWith("Scripts.cs", StringComparison.Ordinal) && path.Count(c => c == '/') == 1;

    /// <summary>The library's C# sources: path under <c>src/Athomic.Scheduler</c> (with <c>/</c>), code without comments.</summary>
    private static IEnumerable<(string Path, string Code)> Sources()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Athomic.Scheduler.Typed.sln")))
        {
            directory = directory.Parent;
        }

        var source = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("The repository root was not found."), "src", "Athomic.Scheduler");
        var sep = Path.DirectorySeparatorChar;
        var files = Directory.GetFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal) && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(source, f).Replace(sep, '/'), Code: Code(File.ReadAllText(f))))
            .ToList();
        Assert.True(files.Count > 50, "the library's sources were not found");
        return files;
    }

    private static string Code(string text) => Comment().Replace(text, string.Empty);

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    /// <summary>Any way of sending a script: the client's <c>ScriptEvaluate*</c>, its <c>LuaScript</c>, or raw <c>EVAL</c>/<c>EVALSHA</c>/<c>FCALL</c>.</summary>
    [GeneratedRegex(@"\bScriptEvaluate|\bLuaScript\.Prepare|\bScriptLoad|""(EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL|FCALL_RO)""", RegexOptions.IgnoreCase)]
    private static partial Regex SendsScript();

    /// <summary>An array of keys, the <c>KEYS</c> of a script.</summary>
    [GeneratedRegex(@"\bRedisKey\s*\[\s*\]|\bnew\s+RedisKey\s*\[")]
    private static partial Regex BuildsKeys();

    [GeneratedRegex(@"\bEmbeddedScript\.Load\(\s*""(?<name>[a-z_]+)""\s*\)")]
    private static partial Regex LoadsScript();
}
