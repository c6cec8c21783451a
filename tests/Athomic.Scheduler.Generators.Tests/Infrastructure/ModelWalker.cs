using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>Walks an object graph by reflection and lists every Roslyn object that would pin a compilation in the cache.</summary>
internal static class ModelWalker
{
    public static (IReadOnlyList<string> Violations, IReadOnlySet<Type> Visited) Walk(object? root)
    {
        var violations = new List<string>();
        var visited = new HashSet<Type>();
        Walk(root, "value", new HashSet<object>(ReferenceEqualityComparer.Instance), violations, visited);
        return (violations, visited);
    }

    private static void Walk(object? value, string path, HashSet<object> seen, List<string> violations, HashSet<Type> visited)
    {
        if (value is null || value is string || value is Pointer)
        {
            return;
        }

        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal)
        {
            return;
        }

        if (IsForbidden(value))
        {
            violations.Add($"{path}: {type.FullName}");
            return;
        }

        if (!type.IsValueType && !seen.Add(value))
        {
            return;
        }

        visited.Add(type);
        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{i++}]", seen, violations, visited);
            }
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Walk(field.GetValue(value), $"{path}.{field.Name}", seen, violations, visited);
            }
        }
    }

    private static bool IsForbidden(object value) => value
        is ISymbol or SyntaxNode or SyntaxTree or Location or Compilation or SemanticModel
        or SyntaxToken or SyntaxTrivia or SyntaxNodeOrToken or SyntaxReference or AttributeData or TypedConstant;
}
