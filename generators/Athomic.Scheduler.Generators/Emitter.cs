using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Athomic.Scheduler.Generators;

/// <summary>Writes the generated sources for a <see cref="GenerationSpec"/>.</summary>
internal static partial class Emitter
{
    /// <summary>The namespace of all generated types: reachable with <c>using Athomic.Scheduler;</c>.</summary>
    public const string Namespace = "Athomic.Scheduler";

    public const string ScheduleExtensionsHintName = "Athomic.Scheduler.ScheduleExtensions.g.cs";
    public const string RegistryHintName = "Athomic.Scheduler.HandlerRegistry.g.cs";

    private const string Scheduler = "global::Athomic.Scheduler.IScheduler";
    private const string Descriptor = "global::Athomic.Scheduler.Execution.ScheduledHandlerDescriptor";
    private const string TaskOfString = "global::System.Threading.Tasks.Task<string>";
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private const string CancellationToken = "global::System.Threading.CancellationToken";
    private const string Context = "global::Athomic.Scheduler.Execution.TaskContext";

    private static readonly string GeneratedCode = string.Format(
        CultureInfo.InvariantCulture,
        "[global::System.CodeDom.Compiler.GeneratedCode(\"Athomic.Scheduler.Generators\", \"{0}\")]",
        typeof(Emitter).Assembly.GetName().Version);

    public static void Emit(SourceProductionContext context, GenerationSpec? spec)
    {
        if (spec is null)
        {
            return;
        }

        context.AddSource(ScheduleExtensionsHintName, ScheduleExtensions(spec));
        context.AddSource(TasksHintName, Tasks(spec));
        context.AddSource(RegistryHintName, Registry(spec));
        if (spec.Shapes.Count > 0)
        {
            context.AddSource(FormattersHintName, Formatters(spec));
        }
    }

    /// <summary>The public (or internal) static class with the typed <c>Schedule…Async</c> extension methods.</summary>
    public static SourceText ScheduleExtensions(GenerationSpec spec)
    {
        var handlers = TypedHandlers(spec);
        var writer = StartTypedClass(
            handlers,
            spec.AssemblyIdentifier + "ScheduleExtensions",
            "Typed scheduling methods for the <c>[ScheduledHandler]</c> methods of assembly <c>" + Xml(spec.AssemblyName) + "</c>:",
            "the handler name and the payload type of each task are checked by the compiler.");
        for (var i = 0; i < handlers.Count; i++)
        {
            if (i > 0)
            {
                writer.WriteLine();
            }

            ScheduleMethod(writer, spec, handlers[i], at: false);
            writer.WriteLine();
            ScheduleMethod(writer, spec, handlers[i], at: true);
            writer.WriteLine();
            RecurringMethod(writer, spec, handlers[i]);
        }

        writer.WriteLine();
        NotNullHelper(writer);
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToSourceText();
    }

    private static void ScheduleMethod(SourceWriter writer, GenerationSpec spec, HandlerSpec handler, bool at)
    {
        var when = at ? "at <paramref name=\"executionTime\"/>" : "after <paramref name=\"delay\"/>";
        var method = handler.Name == handler.MethodDisplay ? string.Empty : " (<c>" + Xml(handler.MethodDisplay) + "</c>)";
        var line = "Schedules the handler <c>" + Xml(handler.Name) + "</c>" + method + " to run " + when + ".";
        writer.WriteLine("/// <summary>");
        foreach (var summary in handler.Summary)
        {
            writer.WriteLine("/// " + (handler.Summary.Count > 1 ? "<para>" + summary + "</para>" : summary));
        }

        writer.WriteLine("/// " + (handler.Summary.Count > 0 ? "<para>" + line + "</para>" : line));
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <param name=\"scheduler\">The scheduler.</param>");
        if (handler.PayloadType is not null)
        {
            writer.WriteLine("/// <param name=\"payload\">The payload the handler receives.</param>");
        }

        writer.WriteLine(at
            ? "/// <param name=\"executionTime\">When the task runs; a time in the past runs it as soon as possible.</param>"
            : "/// <param name=\"delay\">How long from now, on the store's clock, the task runs.</param>");
        writer.WriteLine("/// <param name=\"taskId\">The task id, or <see langword=\"null\"/> for a new one; scheduling a pending id reschedules it.</param>");
        writer.WriteLine("/// <param name=\"cancellationToken\">Cancels the call.</param>");
        writer.WriteLine("/// <returns>The task id.</returns>");

        var access = handler.IsPublic ? "public" : "internal";
        var name = at ? handler.AtMethodName : handler.DelayMethodName;
        var payload = handler.PayloadType is null ? string.Empty : handler.PayloadType + " payload, ";
        var time = at ? "global::System.DateTimeOffset executionTime" : "global::System.TimeSpan delay";
        writer.WriteLine(
            access + " static " + TaskOfString + " " + name + "(this " + Scheduler + " scheduler, " + payload + time +
            ", string? taskId = null, " + CancellationToken + " cancellationToken = default) =>");
        writer.Indent();
        // The id travels one way: in the task the factory builds. IScheduler's own taskId argument (for untyped callers)
        // is left out, so StoreScheduler never has two ids to reconcile for a generated call.
        writer.WriteLine(
            "NotNull(scheduler)." + (at ? "ScheduleAtAsync" : "ScheduleAsync") + "(" + TaskCall(spec, handler, "taskId") + ", " +
            (at ? "executionTime" : "delay") + ", cancellationToken: cancellationToken);");
        writer.Unindent();
    }

    private static void NotNullHelper(SourceWriter writer)
    {
        writer.WriteLine("private static " + Scheduler + " NotNull(" + Scheduler + " scheduler) =>");
        writer.Indent();
        writer.WriteLine("scheduler ?? throw new global::System.ArgumentNullException(nameof(scheduler));");
        writer.Unindent();
    }

    /// <summary>The public registration method and the private registry behind it.</summary>
    public static SourceText Registry(GenerationSpec spec)
    {
        var writer = Start();
        var handlers = spec.Handlers.Select(h => h.Spec).ToList();
        var services = handlers.Where(h => !h.IsStatic).Select(h => h.ContainingType).Distinct().OrderBy(t => t, System.StringComparer.Ordinal).ToList();
        var builder = "global::Athomic.Scheduler.Hosting.SchedulerBuilder";

        writer.WriteLine("/// <summary>Registers the <c>[ScheduledHandler]</c> methods of assembly <c>" + Xml(spec.AssemblyName) + "</c> with the scheduler.</summary>");
        writer.WriteLine(GeneratedCode);
        writer.OpenBlock("public static class " + spec.AssemblyIdentifier + "SchedulerBuilderExtensions");
        writer.WriteLine("/// <summary>");
        var count = handlers.Count == 1 ? "the scheduled handler" : "the " + handlers.Count.ToString(CultureInfo.InvariantCulture) + " scheduled handlers";
        writer.WriteLine("/// Adds " + count + " of assembly <c>" + Xml(spec.AssemblyName) + "</c> to the scheduler,");
        writer.WriteLine("/// and registers the classes of its instance handlers as scoped services (with TryAddScoped, so your own registration wins).");
        writer.WriteLine("/// Call it once for each assembly with handlers; registries of several assemblies compose.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine("/// <param name=\"builder\">The builder returned by <c>AddAthomicScheduler</c>.</param>");
        writer.WriteLine("/// <returns>The builder.</returns>");
        writer.OpenBlock("public static " + builder + " AddScheduledHandlersFrom" + spec.AssemblyIdentifier + "(this " + builder + " builder)");
        writer.OpenBlock("if (builder is null)");
        writer.WriteLine("throw new global::System.ArgumentNullException(nameof(builder));");
        writer.CloseBlock();
        writer.WriteLine();
        foreach (var service in services)
        {
            writer.WriteLine("global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddScoped<" + service + ">(builder.Services);");
        }

        writer.WriteLine("return builder.AddHandlers(Registry.Instance);");
        writer.CloseBlock();
        writer.WriteLine();
        RegistryClass(writer, spec, handlers);
        writer.CloseBlock();
        writer.CloseBlock();
        return writer.ToSourceText();
    }

    private static void RegistryClass(SourceWriter writer, GenerationSpec spec, List<HandlerSpec> handlers)
    {
        writer.OpenBlock("private sealed class Registry : global::Athomic.Scheduler.Execution.IScheduledHandlerRegistry");
        writer.WriteLine("public static readonly Registry Instance = new Registry();");
        writer.WriteLine();
        writer.OpenBlock("private readonly " + Descriptor + "[] _handlers = new " + Descriptor + "[]");
        for (var i = 0; i < handlers.Count; i++)
        {
            var h = handlers[i];
            var payload = h.PayloadDisplay is null ? "null" : Literal(h.PayloadDisplay);
            var attempts = h.MaxAttempts > 0 ? ", " + h.MaxAttempts.ToString(CultureInfo.InvariantCulture) : string.Empty;
            writer.WriteLine("new " + Descriptor + "(" + Literal(h.Name) + ", " + Literal(h.MethodDisplay) + ", " + payload + ", " + InvokerName(i) + attempts + ")" + DescriptorInitializer(h, i) + ",");
        }

        writer.CloseBlock("};");
        writer.WriteLine();
        writer.WriteLine("public global::System.Collections.Generic.IReadOnlyList<" + Descriptor + "> Handlers => _handlers;");
        for (var i = 0; i < handlers.Count; i++)
        {
            writer.WriteLine();
            Invoker(writer, spec, handlers[i], i);
            if (handlers[i].Flow?.Key is { } key)
            {
                writer.WriteLine();
                KeySelector(writer, spec, handlers[i], key, i);
            }
        }

        writer.WriteLine();
        writer.WriteLine("private static T Resolve<T>(global::System.IServiceProvider services) where T : notnull =>");
        writer.Indent();
        writer.WriteLine("global::Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<T>(services);");
        writer.Unindent();
        writer.CloseBlock();
    }

    private static void Invoker(SourceWriter writer, GenerationSpec spec, HandlerSpec handler, int index)
    {
        writer.OpenBlock(
            "private static " + ValueTask + " " + InvokerName(index) +
            "(" + Context + " context, global::System.IServiceProvider services, " + CancellationToken + " cancellationToken)");
        if (handler.PayloadType is not null)
        {
            writer.WriteLine(
                "var payload = global::Athomic.Scheduler.Serialization.ScheduledPayload.Deserialize<" + handler.PayloadType + ">(context.Payload, context.Handler, " +
                PayloadFormatter(spec, handler) + ", " + OptionsArgument(spec) + ");");
        }

        var target = handler.IsStatic ? handler.ContainingType : "Resolve<" + handler.ContainingType + ">(services)";
        var arguments = string.Join(", ", handler.Parameters.Select(p => p switch
        {
            HandlerParameterKind.CancellationToken => "cancellationToken",
            HandlerParameterKind.Context => "context",
            _ => "payload",
        }));
        var call = target + "." + handler.MethodName + "(" + arguments + ")";
        switch (handler.ReturnKind)
        {
            case HandlerReturnKind.Task:
                writer.WriteLine("return new " + ValueTask + "(" + call + ");");
                break;
            case HandlerReturnKind.ValueTask:
                writer.WriteLine("return " + call + ";");
                break;
            default:
                writer.WriteLine(call + ";");
                writer.WriteLine("return default;");
                break;
        }

        writer.CloseBlock();
    }

    /// <summary>The descriptor's object initializer (its static schedule and flow control), or nothing when it has neither.</summary>
    private static string DescriptorInitializer(HandlerSpec handler, int index)
    {
        var assignments = new[] { RecurringAssignment(handler.Recurring), FlowAssignment(handler.Flow, index) }.Where(a => a is not null).ToList();
        return assignments.Count == 0 ? string.Empty : " { " + string.Join(", ", assignments) + " }";
    }

    /// <summary>The handlers that get typed methods: not those whose method names collide (ATS002).</summary>
    private static List<HandlerSpec> TypedHandlers(GenerationSpec spec) =>
        spec.Handlers.Where(h => h.EmitScheduleMethods).Select(h => h.Spec).ToList();

    /// <summary>
    /// Opens a generated static class of typed methods, documented with <paramref name="summary"/>: public when one of
    /// <paramref name="handlers"/> is, else internal.
    /// </summary>
    private static SourceWriter StartTypedClass(List<HandlerSpec> handlers, string name, params string[] summary)
    {
        var writer = Start();
        writer.WriteLine("/// <summary>");
        foreach (var line in summary)
        {
            writer.WriteLine("/// " + line);
        }

        writer.WriteLine("/// </summary>");
        writer.WriteLine(GeneratedCode);
        writer.OpenBlock((handlers.Any(h => h.IsPublic) ? "public" : "internal") + " static class " + name);
        return writer;
    }

    private static SourceWriter Start()
    {
        var writer = new SourceWriter();
        writer.WriteLine("// <auto-generated/>");
        writer.WriteLine("#nullable enable");
        writer.WriteLine();
        writer.OpenBlock("namespace " + Namespace);
        return writer;
    }

    private static string InvokerName(int index) => "Invoke" + index.ToString(CultureInfo.InvariantCulture);

    private static string Literal(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    private static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
