using System.Reflection;

namespace Athomic.Scheduler.EndToEnd.Tests.Docs;

/// <summary>The repository's documentation: <c>README.md</c> and every page under <c>docs/</c>.</summary>
internal static class DocFiles
{
    public static readonly string ProjectDirectory = typeof(DocFiles).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!;

    public static readonly string Root = Path.GetFullPath(Path.Combine(ProjectDirectory, "..", ".."));

    /// <summary>README.md first, then docs/*.md in ordinal order, as paths relative to the repository root ('/' separated).</summary>
    public static IReadOnlyList<string> All() =>
        Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md")
            .Select(f => "docs/" + Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .Prepend("README.md")
            .ToList();
}
