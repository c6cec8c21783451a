using System.Collections.Generic;
using System.Globalization;
using Athomic.Scheduler.Generators.Model;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// The flow control parts of the generated code: the descriptor's <c>HandlerFlowSpec</c>, the concurrency key
/// selectors (the payload decoded by the generated formatter, the key formatted without reflection) and the priority
/// the task factories set.
/// </summary>
internal static partial class Emitter
{
    private const string FlowSpecType = "global::Athomic.Scheduler.Execution.HandlerFlowSpec";
    private const string InvariantCulture = "global::System.Globalization.CultureInfo.InvariantCulture";

    /// <summary>The descriptor's <c>Flow = …</c> assignment, or <see langword="null"/> when the handler declares no flow control.</summary>
    private static string? FlowAssignment(FlowSpec? flow, int index)
    {
        if (flow is null)
        {
            return null;
        }

        var properties = new List<string>();
        if (flow.MaxConcurrency > 0)
        {
            properties.Add("MaxConcurrency = " + Num(flow.MaxConcurrency));
        }

        if (flow.Key is not null)
        {
            properties.Add("MaxConcurrencyPerKey = " + Num(flow.MaxConcurrencyPerKey));
            properties.Add("KeySelector = " + KeySelectorName(index));
        }

        if (flow.RateLimit > 0)
        {
            properties.Add("RateLimit = " + Num(flow.RateLimit));
            properties.Add("RateLimitWindow = " + FromTicks(flow.RateLimitWindowTicks));
        }

        if (flow.TimeoutTicks is { } timeout)
        {
            properties.Add("Timeout = " + FromTicks(timeout));
        }

        if (flow.Priority > 0)
        {
            properties.Add("Priority = " + Num(flow.Priority));
        }

        return "Flow = new " + FlowSpecType + " { " + string.Join(", ", properties) + " }";
    }

    /// <summary>
    /// The static method that reads a payload's concurrency key: decoded as the invoker decodes it, formatted the same
    /// in every process (strings as they are, integers and enum values in the invariant culture, Guids as <c>"N"</c>,
    /// <see langword="null"/> as the empty string).
    /// </summary>
    private static void KeySelector(SourceWriter writer, GenerationSpec spec, HandlerSpec handler, ConcurrencyKeySpec key, int index)
    {
        writer.OpenBlock("private static string " + KeySelectorName(index) + "(global::System.ReadOnlyMemory<byte> payload)");
        writer.WriteLine(
            "var value = global::Athomic.Scheduler.Serialization.ScheduledPayload.Deserialize<" + handler.PayloadType + ">(payload, " + Literal(handler.Name) + ", " +
            PayloadFormatter(spec, handler) + ", " + OptionsArgument(spec) + ");");
        var member = (key.PayloadCanBeNull ? "value?." : "value.") + key.MemberName;
        if (key.Kind == ConcurrencyKeyKind.String)
        {
            writer.WriteLine("return " + member + " ?? \"\";");
        }
        else if (key.IsNullable || key.PayloadCanBeNull)
        {
            writer.WriteLine("return " + member + " is { } key ? " + FormatKey(key, "key") + " : \"\";");
        }
        else
        {
            writer.WriteLine("return " + FormatKey(key, member) + ";");
        }

        writer.CloseBlock();
    }

    /// <summary><c> { Priority = N }</c> for a task factory of a handler with a priority; empty otherwise.</summary>
    private static string PriorityInitializer(HandlerSpec handler) =>
        handler.Flow is { Priority: > 0 } flow ? " { Priority = " + Num(flow.Priority) + " }" : string.Empty;

    private static string FormatKey(ConcurrencyKeySpec key, string value) => key.Kind switch
    {
        ConcurrencyKeyKind.Guid => value + ".ToString(\"N\")",
        ConcurrencyKeyKind.Enum => "((" + key.EnumUnderlyingType + ")" + value + ").ToString(" + InvariantCulture + ")",
        _ => value + ".ToString(" + InvariantCulture + ")",
    };

    private static string KeySelectorName(int index) => "ConcurrencyKey" + Num(index);

    private static string FromTicks(long ticks) => "global::System.TimeSpan.FromTicks(" + ticks.ToString(CultureInfo.InvariantCulture) + ")";
}
