using System.Reflection;
using System.Text.RegularExpressions;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// Rules every embedded script keeps (read from the assembly's resources, as the store loads them): one clock, read
/// only through <c>_now.lua</c>; every key through <c>KEYS</c> (no key name built inside a script); no long bracket
/// (<c>[[</c>), so the comment lines the store leaves out are whole comments.
/// </summary>
public sealed partial class LuaScriptRulesTests
{
    private static readonly Assembly Library = typeof(Redis.LuaScripts).Assembly;

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var name in Library.GetManifestResourceNames().Where(n => n.EndsWith(".lua", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void A_script_reads_the_server_clock_only_through_the_now_include(string resource)
    {
        var text = Read(resource);

        if (resource.EndsWith("._now.lua", StringComparison.Ordinal))
        {
            // The include itself is the one place that reads the clock, and it does.
            Assert.Matches(ReadsTime(), text);
            Assert.Contains("local function server_now_ms()", text, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotMatch(ReadsTime(), text);
        }
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void A_script_names_no_key_literally(string resource)
    {
        // A literal "{...}:" inside redis.call would be a key outside KEYS: on a cluster it could be in another slot.
        Assert.DoesNotMatch(LiteralKey(), Read(resource));
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void A_script_has_no_long_bracket(string resource)
    {
        // LuaScripts leaves out every line that starts with "--" (the comments): inside a long string or a block
        // comment ([[ ... ]]) such a line is not a whole comment, and leaving it out would change the script.
        Assert.DoesNotContain("[[", Read(resource), StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\[=+\[", Read(resource));
    }

    [Fact]
    public void Every_script_is_embedded()
    {
        var names = Library.GetManifestResourceNames().Where(n => n.EndsWith(".lua", StringComparison.Ordinal)).ToList();
        Assert.Contains(names, n => n.EndsWith(".claim.lua", StringComparison.Ordinal));
        Assert.True(names.Count >= 20, "the scripts are missing from the assembly's resources");
    }

    private static string Read(string resource)
    {
        using var stream = Library.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"redis\.call\([^)]*'\{[^']*\}:")]
    private static partial Regex LiteralKey();

    /// <summary><c>redis.call('TIME')</c> or <c>redis.pcall("TIME")</c>, however spaced.</summary>
    [GeneratedRegex(@"redis\.p?call\s*\(\s*['""]TIME['""]")]
    private static partial Regex ReadsTime();
}
