using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// Reads the <c>&lt;summary&gt;</c> of a handler's <c>///</c> comment from syntax, so the result does not depend on
/// the project's documentation mode, and renders it as safe XML doc text: <c>cref</c>s become <c>&lt;c&gt;</c> text
/// (they would resolve differently, or not at all, from the generated namespace).
/// </summary>
internal static class DocComments
{
    public static EquatableArray<string> Summary(SyntaxNode declaration)
    {
        var text = new StringBuilder();
        foreach (var trivia in declaration.GetLeadingTrivia())
        {
            if (trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || IsDocLine(trivia))
            {
                text.Append(trivia.ToFullString()).Append('\n');
            }
        }

        if (text.Length == 0)
        {
            return EquatableArray<string>.Empty;
        }

        XElement root;
        try
        {
            root = XElement.Parse("<doc>" + StripSlashes(text.ToString()) + "</doc>", LoadOptions.None);
        }
        catch (XmlException)
        {
            return EquatableArray<string>.Empty;
        }

        var summary = root.Element("summary");
        if (summary is null)
        {
            return EquatableArray<string>.Empty;
        }

        var lines = new List<string>();
        var current = new StringBuilder();
        Render(summary.Nodes(), current, lines);
        Flush(current, lines);
        return new EquatableArray<string>(lines.ToArray());
    }

    private static bool IsDocLine(SyntaxTrivia trivia) =>
        trivia.IsKind(SyntaxKind.SingleLineCommentTrivia)
        && trivia.ToString() is var line
        && line.StartsWith("///", System.StringComparison.Ordinal)
        && !line.StartsWith("////", System.StringComparison.Ordinal);

    private static string StripSlashes(string comment)
    {
        var builder = new StringBuilder();
        foreach (var raw in comment.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("///", System.StringComparison.Ordinal))
            {
                builder.Append(line.Substring(3)).Append('\n');
            }
        }

        return builder.ToString();
    }

    private static void Render(IEnumerable<XNode> nodes, StringBuilder current, List<string> lines)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case XText text:
                    current.Append(Escape(text.Value));
                    break;
                case XElement element:
                    RenderElement(element, current, lines);
                    break;
            }
        }
    }

    private static void RenderElement(XElement element, StringBuilder current, List<string> lines)
    {
        switch (element.Name.LocalName)
        {
            case "para":
                Flush(current, lines);
                Render(element.Nodes(), current, lines);
                Flush(current, lines);
                break;
            case "see" or "seealso" when element.Attribute("langword") is { } langword:
                current.Append("<see langword=\"").Append(Escape(langword.Value)).Append("\"/>");
                break;
            case "see" or "seealso" when element.Attribute("cref") is { } cref && !element.Nodes().Any():
                current.Append("<c>").Append(Escape(CrefText(cref.Value))).Append("</c>");
                break;
            case "paramref" or "typeparamref":
                current.Append("<c>").Append(Escape(element.Attribute("name")?.Value ?? string.Empty)).Append("</c>");
                break;
            case "c" or "code":
                current.Append("<c>").Append(Escape(element.Value)).Append("</c>");
                break;
            default:
                Render(element.Nodes(), current, lines);
                break;
        }
    }

    private static string CrefText(string cref)
    {
        var text = cref.Length > 2 && cref[1] == ':' ? cref.Substring(2) : cref;
        return text.StartsWith("global::", System.StringComparison.Ordinal) ? text.Substring("global::".Length) : text;
    }

    private static void Flush(StringBuilder current, List<string> lines)
    {
        var line = CollapseWhitespace(current.ToString());
        if (line.Length > 0)
        {
            lines.Add(line);
        }

        current.Clear();
    }

    private static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
