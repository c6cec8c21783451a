using Athomic.Scheduler.Cli.Output;
using Athomic.Scheduler.Serialization;

namespace Athomic.Scheduler.Cli.Tests;

public sealed class TableTests
{
    [Fact]
    public void A_table_that_fits_keeps_every_cell_whole()
    {
        var table = new Table(new TableColumn("ID", Shrinks: true), new TableColumn("N", AlignRight: true));
        table.Add("a", "1");
        table.Add("bbb", "22");
        var output = new StringWriter { NewLine = "\n" };
        table.Write(output, 80);

        Assert.Equal("ID    N\na     1\nbbb  22\n", output.ToString());
    }

    [Fact]
    public void Long_ids_and_handlers_are_cut_with_an_ellipsis_to_fit_80_columns()
    {
        var table = new Table(
            new TableColumn("ID", Shrinks: true),
            new TableColumn("HANDLER", Shrinks: true),
            new TableColumn("DUE (UTC)"),
            new TableColumn("ATT", AlignRight: true));
        var id = "order:" + new string('7', 120);
        var handler = "MyCompany.Billing.Subscriptions.TrialHandlers." + new string('X', 60);
        table.Add(id, handler, "2026-12-02 09:30:00", "1");
        var output = new StringWriter { NewLine = "\n" };
        table.Write(output, 80);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        Assert.StartsWith("order:777", lines[1]);
        Assert.Equal(2, lines[1].Count(c => c == Table.Ellipsis));
        Assert.Contains("2026-12-02 09:30:00", lines[1]); // the columns that do not shrink stay whole
        Assert.EndsWith("1", lines[1]);
    }

    [Fact]
    public void A_newline_in_a_cell_does_not_break_the_row()
    {
        var table = new Table(new TableColumn("ID"), new TableColumn("REASON", Shrinks: true));
        table.Add("x", "first line\nsecond line\tend");
        var output = new StringWriter { NewLine = "\n" };
        table.Write(output, 80);

        Assert.Equal("ID  REASON\nx   first line second line end\n", output.ToString());
    }

    [Theory]
    [InlineData("abcdef", 6, "abcdef")]
    [InlineData("abcdef", 5, "abcd…")]
    [InlineData("abcdef", 1, "…")]
    public void Truncate_keeps_the_start_and_marks_the_cut(string text, int width, string expected) =>
        Assert.Equal(expected, Table.Truncate(text, width));
}

public sealed class FormatTests
{
    [Theory]
    [InlineData("System.Net.Http.HttpRequestException: SMTP refused", "SMTP refused")]
    [InlineData("TaskPayloadException: cannot decode", "cannot decode")]
    [InlineData("delivered 10 times without finishing", "delivered 10 times without finishing")]
    [InlineData("No handler 'x': System.Exception: inner", "No handler 'x': System.Exception: inner")]
    public void A_reason_in_a_table_drops_its_leading_exception_type(string reason, string expected) =>
        Assert.Equal(expected, Output.Format.ShortReason(reason));

    [Theory]
    [InlineData(0.25, "0.25s")]
    [InlineData(42, "42s")]
    [InlineData(250, "4m10s")]
    [InlineData(7500, "2h5m")]
    [InlineData(190_000, "2d4h")]
    public void Durations_show_their_two_largest_units(double seconds, string expected) =>
        Assert.Equal(expected, Output.Format.Duration(TimeSpan.FromSeconds(seconds)));
}
