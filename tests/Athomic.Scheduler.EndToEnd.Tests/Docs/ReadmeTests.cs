using System.Text.RegularExpressions;
using Xunit;

namespace Athomic.Scheduler.EndToEnd.Tests.Docs;

/// <summary>
/// Every C# block of the README and of the pages under docs/ is code that compiles: it is found verbatim in compiled
/// sources.
/// </summary>
public sealed partial class ReadmeTests
{
    private static readonly string ProjectDirectory = DocFiles.ProjectDirectory;

    private static readonly string Root = DocFiles.Root;

    public static TheoryData<string, int, string> Blocks()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var file in DocFiles.All())
        {
            var matches = CSharpBlock().Matches(File.ReadAllText(Path.Combine(Root, file)));
            for (var i = 0; i < matches.Count; i++)
            {
                data.Add(file, i, matches[i].Groups[1].Value);
            }
        }

        return data;
    }

    [Fact]
    public void The_docs_have_CSharp_blocks()
    {
        Assert.True(Blocks().Count >= 4);
        Assert.Contains(Blocks(), row => (string)row[0] == "README.md");
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Docs_block_is_compiled_code(string file, int index, string block)
    {
        // The dashboard's block needs ASP.NET Core: it compiles (and runs) in the dashboard's test project.
        var sources = new[] { Path.Combine(ProjectDirectory, "Docs", "ReadmeSnippets.cs"), Path.Combine(Root, "tests", "Athomic.Scheduler.Dashboard.Tests", "Docs", "DashboardReadmeSnippets.cs") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "samples"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            .Select(f => Normalize(File.ReadAllText(f)));

        Assert.True(
            sources.Any(s => s.Contains(Normalize(block), StringComparison.Ordinal)),
            $"C# block {index} of {file} is not in Docs/ReadmeSnippets.cs, the dashboard's snippets or the samples, so nothing proves it compiles:\n{block}");
    }

    private static string Normalize(string code) =>
        string.Join('\n', code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
