using Xunit;

namespace Athomic.Scheduler.EndToEnd.Tests.Docs;

/// <summary>The README and the pages under docs/ link to files and headings that exist, and the README reaches every page.</summary>
public sealed class DocsLinkTests
{
    [Fact]
    public void Every_relative_link_points_to_an_existing_file_and_heading()
    {
        var files = DocFiles.All();
        var checkedLinks = files.Sum(f => MarkdownLinks.Links(File.ReadAllText(Path.Combine(DocFiles.Root, f))).Count(l => MarkdownLinks.Target(Path.Combine(DocFiles.Root, f), l) is not null));

        var broken = MarkdownLinks.Broken(DocFiles.Root, files);

        Assert.True(checkedLinks > 0, "no relative link was found: the docs are not being read");
        Assert.True(broken.Count == 0, $"{broken.Count} broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void Every_page_under_docs_is_linked_from_the_README()
    {
        var readme = Path.Combine(DocFiles.Root, "README.md");
        var linked = MarkdownLinks.Links(File.ReadAllText(readme)).Select(l => MarkdownLinks.Target(readme, l)).OfType<string>().ToHashSet(StringComparer.Ordinal);

        var missing = DocFiles.All().Skip(1).Where(f => !linked.Contains(Path.GetFullPath(Path.Combine(DocFiles.Root, f)))).ToList();

        Assert.True(missing.Count == 0, "pages the README does not link to:\n" + string.Join("\n", missing));
    }

    [Theory]
    [InlineData("Tests", "tests")]
    [InlineData("Data layout (Redis)", "data-layout-redis")]
    [InlineData("Configuration (`Athomic:Scheduler`)", "configuration-athomicscheduler")]
    [InlineData("The `athomic` command-line tool", "the-athomic-command-line-tool")]
    [InlineData("Flow control: limits, rates, timeouts and pause", "flow-control-limits-rates-timeouts-and-pause")]
    [InlineData("Write concern: `Durability:WaitForReplicas`", "write-concern-durabilitywaitforreplicas")]
    [InlineData("snake_case, kebab-case & **bold**", "snake_case-kebab-case--bold")]
    [InlineData("See [the page](other.md#x) now", "see-the-page-now")]
    public void A_heading_gets_GitHubs_anchor(string heading, string anchor)
    {
        Assert.Equal(anchor, MarkdownLinks.Slug(heading));
    }

    [Fact]
    public void A_repeated_heading_is_numbered_and_code_is_not_a_heading()
    {
        var anchors = MarkdownLinks.Anchors("# Page\n## Notes\n```bash\n# a comment\n```\n## Notes\n### Notes ###\n");

        Assert.Equal(["notes", "notes-1", "notes-2", "page"], anchors.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_checker_reports_missing_files_and_headings_and_skips_code_and_urls()
    {
        var root = Directory.CreateTempSubdirectory("athomic-docs-links-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            File.WriteAllText(Path.Combine(root, "docs", "a.md"), "# A\n## Known heading\n");
            File.WriteAllText(Path.Combine(root, "README.md"), string.Join('\n',
                "# Readme",
                "[fine](docs/a.md) [fine too](docs/a.md#known-heading) [here](#readme) ![image](docs/a.md)",
                "[missing file](docs/b.md) [missing heading](docs/a.md#unknown) [missing here](#nowhere)",
                "[web](https://example.com/x.md#y) [mail](mailto:a@b.c) `[in code](nothing.md)`",
                "```markdown",
                "[in a block](nothing.md)",
                "```"));

            var broken = MarkdownLinks.Broken(root, ["README.md"]);

            Assert.Equal(3, broken.Count);
            Assert.Contains(broken, b => b.StartsWith("README.md: (docs/b.md) points to a file that does not exist", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.StartsWith("README.md: (docs/a.md#unknown) names no heading of a.md", StringComparison.Ordinal));
            Assert.Contains(broken, b => b.StartsWith("README.md: (#nowhere) names no heading of README.md", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
