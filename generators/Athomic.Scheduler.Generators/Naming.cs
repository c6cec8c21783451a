using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Athomic.Scheduler.Generators;

/// <summary>The naming rules: handler names, generated method names and generated type names.</summary>
internal static class Naming
{
    /// <summary>The longest handler name; mirrors <c>Athomic.Scheduler.TaskIds.MaxLength</c>.</summary>
    public const int MaxHandlerNameLength = 256;

    /// <summary>
    /// Why <paramref name="name"/> is not a valid handler name, or <see langword="null"/> when it is valid. Mirrors
    /// <c>Athomic.Scheduler.TaskIds.IsValid</c>: 1 to 256 characters, none of them whitespace, a control character,
    /// <c>{</c>, <c>}</c>, <c>*</c> or an unpaired surrogate.
    /// </summary>
    public static string? HandlerNameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Length > MaxHandlerNameLength)
        {
            return string.Format(CultureInfo.InvariantCulture, "it has {0} characters, more than {1}", name.Length, MaxHandlerNameLength);
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '{' or '}' or '*')
            {
                return string.Format(CultureInfo.InvariantCulture, "it contains U+{0:X4} at index {1}", (int)c, i);
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return string.Format(CultureInfo.InvariantCulture, "it contains the unpaired surrogate U+{0:X4} at index {1}", (int)c, i);
            }
        }

        return null;
    }

    /// <summary>
    /// The default handler name: namespace, containing types (outermost first) and method name, joined with dots,
    /// e.g. <c>MyApp.Billing.TrialHandlers.EndTrial</c> or <c>MyApp.Outer.Inner.Run</c>.
    /// </summary>
    public static string DefaultHandlerName(IMethodSymbol method) => QualifiedName(method.ContainingType) + "." + method.Name;

    /// <summary>The containing namespace and type names of <paramref name="type"/>, dotted, without type arguments.</summary>
    public static string QualifiedName(INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return string.Empty;
        }

        var builder = new StringBuilder(type.Name);
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            builder.Insert(0, outer.Name + ".");
        }

        var ns = type.ContainingNamespace;
        if (ns is not null && !ns.IsGlobalNamespace)
        {
            builder.Insert(0, ns.ToDisplayString() + ".");
        }

        return builder.ToString();
    }

    /// <summary>
    /// The middle of the generated method names for <paramref name="methodName"/>: a trailing <c>Async</c> is dropped
    /// and the first letter upper-cased, so <c>EndTrialAsync</c> gives <c>ScheduleEndTrialAsync</c>.
    /// </summary>
    public static string ScheduleName(string methodName)
    {
        var name = methodName.Length > "Async".Length && methodName.EndsWith("Async", System.StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - "Async".Length)
            : methodName;
        return char.ToUpperInvariant(name[0]) + name.Substring(1);
    }

    /// <summary>
    /// The assembly name as an identifier for generated type and method names: its identifier-character runs, each
    /// with an upper-case first letter, concatenated (<c>MyCompany.Billing-Core</c> gives <c>MyCompanyBillingCore</c>).
    /// </summary>
    public static string AssemblyIdentifier(string? assemblyName)
    {
        var builder = new StringBuilder();
        var startOfRun = true;
        foreach (var c in assemblyName ?? string.Empty)
        {
            if (!SyntaxFacts.IsIdentifierPartCharacter(c) || c == '_')
            {
                startOfRun = true;
                continue;
            }

            builder.Append(startOfRun ? char.ToUpperInvariant(c) : c);
            startOfRun = false;
        }

        if (builder.Length == 0)
        {
            return "Assembly";
        }

        if (!SyntaxFacts.IsIdentifierStartCharacter(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    /// <summary><paramref name="name"/> as a C# identifier: keywords get an <c>@</c>.</summary>
    public static string EscapeIdentifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
