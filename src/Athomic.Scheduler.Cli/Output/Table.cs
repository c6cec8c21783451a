using System.Text;

namespace Athomic.Scheduler.Cli.Output;

/// <summary>A column of a <see cref="Table"/>.</summary>
/// <param name="Header">The header.</param>
/// <param name="Shrinks">Whether the column gives up width when the table is too wide (ids, handlers, reasons); its
/// cells are then cut with an ellipsis.</param>
/// <param name="MinWidth">The narrowest a shrinking column gets.</param>
/// <param name="AlignRight">Numbers align right.</param>
internal sealed record TableColumn(string Header, bool Shrinks = false, int MinWidth = 8, bool AlignRight = false);

/// <summary>
/// A plain-text table that fits a terminal width (80 columns unless the terminal says otherwise): columns are
/// separated by two spaces, shrinking columns give up width (the widest first) and their cells end in '…' when cut;
/// control characters (newlines in an error message) become spaces, so one row is one line.
/// </summary>
internal sealed class Table(params TableColumn[] columns)
{
    /// <summary>The character that marks a cut cell.</summary>
    public const char Ellipsis = '…';

    private const int Gap = 2;
    private readonly List<string[]> _rows = [];

    /// <summary>How many rows the table has.</summary>
    public int Count => _rows.Count;

    /// <summary>Adds a row, one cell per column.</summary>
    /// <param name="cells">The cells.</param>
    public void Add(params string?[] cells)
    {
        if (cells.Length != columns.Length)
        {
            throw new ArgumentException($"A row has {columns.Length} cells.", nameof(cells));
        }

        _rows.Add([.. cells.Select(Clean)]);
    }

    /// <summary>Writes the header and the rows, each line at most <paramref name="width"/> characters (when the
    /// columns that do not shrink leave room).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="width">The width to fit.</param>
    public void Write(TextWriter output, int width)
    {
        var widths = Fit(width);
        output.WriteLine(Line(columns.Select(c => c.Header).ToArray(), widths));
        foreach (var row in _rows)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> characters, the last one an ellipsis.</summary>
    /// <param name="text">The text.</param>
    /// <param name="width">The width.</param>
    /// <returns>The text, cut when longer.</returns>
    public static string Truncate(string text, int width) =>
        text.Length <= width ? text : width <= 1 ? new string(Ellipsis, width) : string.Concat(text.AsSpan(0, width - 1), Ellipsis.ToString());

    private int[] Fit(int width)
    {
        var widths = columns.Select((c, i) => _rows.Select(r => r[i].Length).Append(c.Header.Length).Max()).ToArray();
        var total = widths.Sum() + (Gap * (columns.Length - 1));
        while (total > width)
        {
            // Take one character from the widest column that can still shrink.
            var widest = -1;
            for (var i = 0; i < columns.Length; i++)
            {
                if (columns[i].Shrinks && widths[i] > Math.Max(columns[i].MinWidth, columns[i].Header.Length)
                    && (widest < 0 || widths[i] > widths[widest]))
                {
                    widest = i;
                }
            }

            if (widest < 0)
            {
                break;
            }

            widths[widest]--;
            total--;
        }

        return widths;
    }

    private string Line(string[] cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = Truncate(cells[i], widths[i]);
            var last = i == cells.Length - 1;
            if (columns[i].AlignRight)
            {
                line.Append(' ', widths[i] - cell.Length).Append(cell);
            }
            else
            {
                line.Append(cell);
                if (!last)
                {
                    line.Append(' ', widths[i] - cell.Length);
                }
            }

            if (!last)
            {
                line.Append(' ', Gap);
            }
        }

        return line.ToString().TrimEnd();
    }

    private static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = ' ';
            }
        }

        return new string(chars).Trim();
    }
}
