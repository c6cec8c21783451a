using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis.Text;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// The typed task factories, <c>{Assembly}Tasks.{Name}(payload, taskId)</c>: the one place a handler's name and its
/// encoded payload become a <c>GenericTask</c>. The <c>Schedule…Async</c> methods call them, and so can
/// <c>ScheduleManyAsync</c> callers through <c>ScheduleRequest.After</c>/<c>At</c>.
/// </summary>
internal static partial class Emitter
{
    public const string TasksHintName = "Athomic.Scheduler.Tasks.g.cs";

    private const string GenericTask = "global::Athomic.Scheduler.GenericTask";

    /// <summary>The static class with one <c>GenericTask</c> factory per handler.</summary>
    public static SourceText Tasks(GenerationSpec spec)
    {
        var handlers = TypedHandlers(spec);
        var writer = StartTypedClass(
            handlers,
            TasksClass(spec),
            "Typed tasks for the <c>[ScheduledHandler]</c> methods of assembly <c>" + Xml(spec.AssemblyName) + "</c>, for",
            "<c>IScheduler.ScheduleManyAsync</c> (<c>ScheduleRequest.After</c>/<c>At</c>): the handler name and the payload type",
            "of each task are checked by the compiler, and the payload is encoded with the generated formatter.");
        for (var i = 0; i < handlers.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }

            TaskFactory(writer, spec, handlers[i]);
        }

        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToSourceText();
    }

    private static void TaskFactory(SourceWriter writer, GenerationSpec spec, HandlerSpec handler)
    {
        var method = handler.Name == handler.MethodDisplay ? string.Empty : " (<c>" + Xml(handler.MethodDisplay) + "</c>)";
        var encoded = handler.PayloadType is null ? "." : ", its payload encoded by the generated formatter.";
        writer.WriteLine("/// <summary>A task for the handler <c>" + Xml(handler.Name) + "</c>" + method + encoded + "</summary>");
        if (handler.PayloadType is not null)
        {
            writer.WriteLine("/// <param name=\"payload\">The payload the handler receives.</param>");
        }

        writer.WriteLine("/// <param name=\"taskId\">The task id, or <see langword=\"null\"/> for a new one; scheduling a pending id reschedules it.</param>");
        writer.WriteLine("/// <returns>The task, ready to schedule.</returns>");
        var access = handler.IsPublic ? "public" : "internal";
        var payload = handler.PayloadType is null ? string.Empty : handler.PayloadType + " payload, ";
        writer.WriteLine(access + " static " + GenericTask + " " + handler.ScheduleName + "(" + payload + "string? taskId = null) =>");
        var bytes = handler.PayloadType is null
            ? "global::System.ReadOnlyMemory<byte>.Empty"
            : "global::Athomic.Scheduler.Serialization.ScheduledPayload.Serialize<" + handler.PayloadType + ">(payload, " + PayloadFormatter(spec, handler) + ", " + OptionsArgument(spec) + ")";
        writer.Indent();
        writer.WriteLine("new " + GenericTask + "(" + Literal(handler.Name) + ", " + bytes + ", taskId)" + PriorityInitializer(handler) + ";");
        writer.Unindent();
    }

    /// <summary>The call of a handler's task factory, for the other generated methods.</summary>
    private static string TaskCall(GenerationSpec spec, HandlerSpec handler, string taskId) =>
        TasksClass(spec) + "." + handler.ScheduleName + "(" + (handler.PayloadType is null ? string.Empty : "payload, ") + taskId + ")";

    private static string TasksClass(GenerationSpec spec) => spec.AssemblyIdentifier + "Tasks";
}
