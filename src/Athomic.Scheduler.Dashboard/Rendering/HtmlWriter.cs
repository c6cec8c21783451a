using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Athomic.Scheduler.Dashboard.Rendering;

/// <summary>Markup that is written as it is: only the renderers make it, from literals and encoded values.</summary>
/// <param name="Value">The markup.</param>
internal readonly record struct Markup(string Value)
{
    /// <summary>No markup.</summary>
    public static Markup Empty { get; } = new(string.Empty);

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>
/// Builds an HTML document. Literal parts of an interpolated string are written as they are; every hole is
/// HTML-encoded (<see cref="HtmlEncoder.Default"/>), except <see cref="Markup"/>, so nothing read from the store or the
/// request reaches the page unencoded. Values are formatted with the invariant culture.
/// </summary>
internal sealed class HtmlWriter
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Default;

    internal StringBuilder Builder { get; } = new(4096);

    /// <summary>Appends an interpolated string whose holes are encoded.</summary>
    /// <param name="handler">The interpolated string.</param>
    /// <returns>This writer.</returns>
    public HtmlWriter Append([InterpolatedStringHandlerArgument("")] ref HtmlInterpolatedStringHandler handler)
    {
        _ = handler;
        return this;
    }

    /// <summary>Appends markup made elsewhere by a writer.</summary>
    /// <param name="markup">The markup.</param>
    /// <returns>This writer.</returns>
    public HtmlWriter Append(Markup markup)
    {
        Builder.Append(markup.Value);
        return this;
    }

    /// <summary>Appends encoded text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>This writer.</returns>
    public HtmlWriter Text(string? text)
    {
        if (!string.IsNullOrEmpty(text))
        {
            Builder.Append(Encoder.Encode(text));
        }

        return this;
    }

    /// <summary>The markup written so far.</summary>
    /// <returns>The markup.</returns>
    public Markup ToMarkup() => new(Builder.ToString());

    /// <inheritdoc />
    public override string ToString() => Builder.ToString();

    /// <summary>Encodes one interpolated hole.</summary>
    internal void AppendEncoded(string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Builder.Append(Encoder.Encode(value));
        }
    }

    /// <summary>Markup of an interpolated string whose holes are encoded.</summary>
    /// <param name="handler">The interpolated string.</param>
    /// <returns>The markup.</returns>
    public static Markup Of([InterpolatedStringHandlerArgument] ref HtmlInterpolatedStringHandler handler) => handler.ToMarkup();
}

/// <summary>The interpolated string handler of <see cref="HtmlWriter"/>: literals raw, holes encoded.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlInterpolatedStringHandler
{
    private readonly HtmlWriter _writer;

    /// <summary>Writes into a new writer (for <see cref="HtmlWriter.Of"/>).</summary>
    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount)
    {
        _ = formattedCount;
        _writer = new HtmlWriter();
        _writer.Builder.EnsureCapacity(literalLength * 2);
    }

    /// <summary>Writes into <paramref name="writer"/>.</summary>
    public HtmlInterpolatedStringHandler(int literalLength, int formattedCount, HtmlWriter writer)
    {
        _ = literalLength;
        _ = formattedCount;
        _writer = writer;
    }

    /// <summary>A literal part: markup written by the code itself.</summary>
    public readonly void AppendLiteral(string value) => _writer.Builder.Append(value);

    /// <summary>Markup: written as it is.</summary>
    public readonly void AppendFormatted(Markup value) => _writer.Builder.Append(value.Value);

    /// <summary>Text: encoded.</summary>
    public readonly void AppendFormatted(string? value) => _writer.AppendEncoded(value);

    /// <summary>A value: formatted with the invariant culture, then encoded.</summary>
    public readonly void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    /// <summary>A value with a format: formatted with the invariant culture, then encoded.</summary>
    public readonly void AppendFormatted<T>(T value, string? format) =>
        _writer.AppendEncoded(value is IFormattable f ? f.ToString(format, CultureInfo.InvariantCulture) : value?.ToString());

    internal readonly Markup ToMarkup() => _writer.ToMarkup();
}
