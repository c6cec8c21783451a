using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Tests.Architecture;

/// <summary>
/// The runtime library's layout, as <c>docs/architecture.md</c> describes it: the folder is the namespace, one public
/// type per file, and the root namespace holds only what someone scheduling tasks touches.
/// </summary>
public sealed class LayoutTests
{
    private const string Root = "Athomic.Scheduler";

    /// <summary>The most public types the root namespace may hold.</summary>
    private const int RootPublicTypeLimit = 25;

    /// <summary>The DI entry points keep the conventional namespace; they live in <c>Hosting/</c>.</summary>
    private const string DependencyInjectionNamespace = "Microsoft.Extensions.DependencyInjection";

    [Fact]
    public void The_folder_is_the_namespace()
    {
        var wrong = new List<string>();
        foreach (var (path, tree) in Sources())
        {
            var folder = Path.GetDirectoryName(path)!;
            var expected = folder.Length == 0 ? Root : Root + "." + folder.Replace(Path.DirectorySeparatorChar, '.');
            var declared = tree.GetRoot().DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().Select(n => n.Name.ToString()).ToList();
            var fits = declared.Count == 1
                && (declared[0] == expected || (declared[0] == DependencyInjectionNamespace && folder == "Hosting"));
            if (!fits)
            {
                wrong.Add($"{path}: namespace {string.Join(", ", declared)}, expected {expected}");
            }
        }

        Assert.True(wrong.Count == 0, "Files whose namespace is not their folder:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void One_public_type_per_file()
    {
        var crowded = new List<string>();
        foreach (var (path, tree) in Sources())
        {
            var types = tree.GetRoot().DescendantNodes()
                .Where(n => n is BaseTypeDeclarationSyntax or DelegateDeclarationSyntax && n.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax)
                .Cast<MemberDeclarationSyntax>()
                .Where(t => t.Modifiers.Any(SyntaxKind.PublicKeyword))
                .Select(t => t is BaseTypeDeclarationSyntax b ? b.Identifier.Text : ((DelegateDeclarationSyntax)t).Identifier.Text)
                .ToList();
            if (types.Count > 1)
            {
                crowded.Add($"{path}: {string.Join(", ", types)}");
            }
        }

        Assert.True(crowded.Count == 0, "Files with more than one public type:\n" + string.Join("\n", crowded));
    }

    [Fact]
    public void The_root_namespace_holds_what_a_scheduling_user_touches()
    {
        var rootTypes = typeof(GenericTask).Assembly.GetExportedTypes()
            .Where(t => t.Namespace == Root && !t.IsNested)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Contains(nameof(IScheduler), rootTypes);
        Assert.Contains(nameof(ISchedulerOperations), rootTypes);
        Assert.True(rootTypes.Count <= RootPublicTypeLimit, $"The root namespace has {rootTypes.Count} public types (at most {RootPublicTypeLimit}): {string.Join(", ", rootTypes)}");
    }

    /// <summary>Every source file of the library, as its path relative to the project directory and its syntax tree.</summary>
    private static IEnumerable<(string Path, SyntaxTree Tree)> Sources()
    {
        var project = Path.Combine(RepositoryRoot(), "src", Root);
        var skip = new[] { $"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", $"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}" };
        return Directory.GetFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(f => !skip.Any(s => f.Contains(s, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(project, f), CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Preview), f)))
            .ToList();
    }

    private static string RepositoryRoot()
    {
        var directory = typeof(LayoutTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!;
        while (!File.Exists(Path.Combine(directory, "Athomic.Scheduler.Typed.sln")))
        {
            directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("The repository root was not found.");
        }

        return directory;
    }
}
