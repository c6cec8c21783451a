using System.Globalization;
using System.Text;

namespace Athomic.Scheduler.Tests.Shared;

/// <summary>
/// The generator's workload of issue 23 (1,000 handlers, each with its own 3-member payload record), one source file at
/// a time: the same text for the in-process report (Generators.Tests) and the cold-csc row (Benchmarks --generator).
/// </summary>
internal static class GeneratorWorkload
{
    /// <summary>
    /// One file: <paramref name="count"/> <c>[MessagePackObject]</c> payload records of three keyed members (a
    /// <c>Guid</c>, a list and a dictionary) and as many handlers, every other one a documented instance handler with an
    /// explicit name, the rest static handlers with a <c>TaskContext</c> and a default name.
    /// </summary>
    public static string HandlerFile(int file, int count)
    {
        var source = Start(file);
        for (var h = 0; h < count; h++)
        {
            source.AppendLine(CultureInfo.InvariantCulture, $"{Record}Payload{file}x{h}{Members}");
        }

        source.AppendLine();
        source.AppendLine(CultureInfo.InvariantCulture, $"public sealed class Handlers{file}");
        source.AppendLine("{");
        for (var h = 0; h < count; h++)
        {
            var payload = $"Payload{file}x{h}";
            source.AppendLine(h % 2 == 0
                ? Documented(file, h, payload, payload + " payload")
                : Static(file, h, "TaskContext context, " + payload + " payload"));
        }

        source.AppendLine("}");
        return source.ToString();
    }

    /// <summary>
    /// One file of the older in-process report: one payload record shared by the file's documented instance handlers,
    /// and static handlers that take an <c>int[]</c>.
    /// </summary>
    public static string SharedPayloadFile(int file, int count)
    {
        var source = Start(file);
        source.AppendLine(CultureInfo.InvariantCulture, $"{Record}Payload{file}{Members}");
        source.AppendLine();
        source.AppendLine(CultureInfo.InvariantCulture, $"public sealed class Handlers{file}");
        source.AppendLine("{");
        for (var h = 0; h < count; h++)
        {
            source.AppendLine(h % 2 == 0
                ? Documented(file, h, $"Payload{file}", $"Payload{file} payload")
                : Static(file, h, "TaskContext context, int[] values"));
        }

        source.AppendLine("}");
        return source.ToString();
    }

    private const string Record = "[MessagePackObject] public sealed record ";
    private const string Members = "([property: Key(0)] Guid Id, [property: Key(1)] List<string> Tags, [property: Key(2)] Dictionary<string, decimal> Amounts);";

    private static StringBuilder Start(int file) => new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"""
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Athomic.Scheduler;
        using Athomic.Scheduler.Execution;
        using MessagePack;

        namespace Bench.Area{file};

        """);

    private static string Documented(int file, int h, string cref, string parameters) => string.Create(CultureInfo.InvariantCulture,
        $"    /// <summary>Handles <see cref=\"{cref}\"/> number {h}.</summary>\n    [ScheduledHandler(\"bench.{file}.{h}\")] public Task Handle{file}x{h}({parameters}, CancellationToken ct) => Task.CompletedTask;");

    private static string Static(int file, int h, string parameters) => string.Create(CultureInfo.InvariantCulture,
        $"    [ScheduledHandler] public static ValueTask Handle{file}x{h}({parameters}) => default;");
}
