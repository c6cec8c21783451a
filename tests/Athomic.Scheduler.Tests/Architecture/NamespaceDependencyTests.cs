using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Tests.Architecture;

/// <summary>
/// The namespaces of the runtime library must not depend on each other in cycles. Every reference in the sources of
/// <c>src/Athomic.Scheduler</c> is bound with Roslyn; <c>NamespaceCycles.txt</c> lists the edges allowed to lie on a
/// cycle, and it is empty: a reference that closes a cycle fails the build's tests (the edges are named). The list is a
/// ratchet kept for the rare accepted exception (<c>ATHOMIC_UPDATE_BASELINES=1</c> rewrites it).
/// </summary>
public sealed class NamespaceDependencyTests
{
    private const string Root = "Athomic.Scheduler";

    /// <summary>Set to 1 to rewrite NamespaceCycles.txt.</summary>
    private const string UpdateVariable = "ATHOMIC_UPDATE_BASELINES";

    private static readonly string ProjectDirectory = typeof(NamespaceDependencyTests).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!;

    private static readonly string BaselineFile = Path.Combine(ProjectDirectory, "Architecture", "NamespaceCycles.txt");

    [Fact]
    public void No_namespace_cycle_beyond_the_listed_ones()
    {
        var edges = NamespaceEdges();
        var cycleEdges = CycleEdges(edges).Select(e => $"{e.From} -> {e.To}").Order(StringComparer.Ordinal).ToList();
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllLines(BaselineFile, cycleEdges);
        }

        var listed = File.ReadAllLines(BaselineFile).Where(l => l.Length > 0).ToList();
        var added = cycleEdges.Except(listed, StringComparer.Ordinal).ToList();
        var gone = listed.Except(cycleEdges, StringComparer.Ordinal).ToList();

        Assert.True(added.Count == 0, "New namespace dependencies on a cycle (move the type or invert the dependency):\n" + string.Join("\n", added));
        Assert.True(gone.Count == 0, $"These cycle edges are gone: remove them from {BaselineFile} (or run with {UpdateVariable}=1):\n" + string.Join("\n", gone));
    }

    [Fact]
    public void The_cycle_finder_sees_a_cycle_and_not_a_chain()
    {
        var cycle = CycleEdges([("A", "B"), ("B", "C"), ("C", "A"), ("C", "D")]).ToList();

        Assert.Equal([("A", "B"), ("B", "C"), ("C", "A")], cycle.Order());
        Assert.Empty(CycleEdges([("A", "B"), ("B", "C")]));
    }

    [Fact]
    public void A_using_directive_alone_is_an_edge()
    {
        var tree = CSharpSyntaxTree.ParseText("using System; using Athomic.Scheduler.Hosting; using X = Athomic.Scheduler.Redis; using static Athomic.Scheduler.Execution.Helpers; namespace Athomic.Scheduler.Execution; class C { }");

        Assert.Equal([("Athomic.Scheduler.Execution", "Athomic.Scheduler.Hosting")], UsingEdges(tree).ToList());
    }

    /// <summary>Every namespace → namespace reference inside the library (one edge per pair).</summary>
    private static HashSet<(string From, string To)> NamespaceEdges()
    {
        var repo = ProjectDirectory;
        while (!File.Exists(Path.Combine(repo, "Athomic.Scheduler.Typed.sln")))
        {
            repo = Path.GetDirectoryName(repo) ?? throw new InvalidOperationException("The repository root was not found.");
        }

        var source = Path.Combine(repo, "src", Root);
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = Directory.GetFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f))
            .Append(CSharpSyntaxTree.ParseText(
                "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;",
                options))
            .ToList();

        // The library's dependencies, as built next to this test (the library itself is left out: its types come from source).
        var references = Basic.Reference.Assemblies.Net100.References.All.Cast<MetadataReference>()
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
                .Where(f => Path.GetFileName(f) is var n && !n.StartsWith(Root, StringComparison.Ordinal) && !n.StartsWith("System.", StringComparison.Ordinal)
                    && !n.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && !n.StartsWith("xunit", StringComparison.Ordinal))
                .Select(f => MetadataReference.CreateFromFile(f)));
        var compilation = CSharpCompilation.Create("NamespaceGraph", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));

        var edges = new HashSet<(string, string)>();
        foreach (var tree in trees)
        {
            edges.UnionWith(UsingEdges(tree));
            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();
            foreach (var name in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var from = name.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString();
                var symbol = model.GetSymbolInfo(name).Symbol;
                var type = symbol as INamedTypeSymbol ?? symbol?.ContainingType;
                var to = type?.ContainingNamespace?.ToDisplayString();
                if (from is not null && to is not null && to.StartsWith(Root, StringComparison.Ordinal) && from.StartsWith(Root, StringComparison.Ordinal) && from != to)
                {
                    edges.Add((from, to));
                }
            }
        }

        Assert.True(edges.Count > 0, "no reference between the library's namespaces was bound: the graph is not being read");
        return edges;
    }

    /// <summary>
    /// The edges a file's <c>using</c> directives draw, from the file's namespace to each library namespace it imports:
    /// a stale using is a dependency a reader sees, so it counts (IDE0005 makes the build reject unused ones).
    /// </summary>
    internal static IEnumerable<(string From, string To)> UsingEdges(SyntaxTree tree)
    {
        var root = tree.GetRoot();
        var from = root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString();
        if (from is null || !from.StartsWith(Root, StringComparison.Ordinal))
        {
            yield break;
        }

        foreach (var directive in root.DescendantNodes().OfType<UsingDirectiveSyntax>())
        {
            // "using static N.T;" imports a type: the edge is to its namespace N.
            var to = directive.Name?.ToString();
            if (to is not null && !directive.StaticKeyword.IsKind(SyntaxKind.None))
            {
                to = to[..Math.Max(0, to.LastIndexOf('.'))];
            }

            if (directive.Alias is null && to is not null && to.StartsWith(Root, StringComparison.Ordinal) && to != from
                && (to.Length == Root.Length || to[Root.Length] == '.'))
            {
                yield return (from, to);
            }
        }
    }

    /// <summary>The edges whose two ends are in one strongly connected component (Tarjan): exactly the edges on a cycle.</summary>
    internal static IEnumerable<(string From, string To)> CycleEdges(IEnumerable<(string From, string To)> edges)
    {
        var list = edges.ToList();
        var nodes = list.SelectMany(e => new[] { e.From, e.To }).Distinct(StringComparer.Ordinal).ToList();
        var next = list.ToLookup(e => e.From, e => e.To, StringComparer.Ordinal);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var component = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var counter = 0;
        var components = 0;

        void Visit(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            foreach (var w in next[v])
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (!component.ContainsKey(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                string w;
                do
                {
                    w = stack.Pop();
                    component[w] = components;
                }
                while (w != v);
                components++;
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return list.Where(e => component[e.From] == component[e.To]).Distinct();
    }
}
