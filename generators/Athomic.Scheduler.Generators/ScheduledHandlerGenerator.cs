using System.Collections.Immutable;
using System.Linq;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators;

/// <summary>
/// Turns every <c>[ScheduledHandler]</c> method into typed <c>Schedule{Method}Async</c> / <c>Schedule{Method}AtAsync</c>
/// extension methods on <c>IScheduler</c>, and emits a handler registry with one registration method per assembly,
/// <c>AddScheduledHandlersFrom{Assembly}()</c> on <c>SchedulerBuilder</c>.
/// </summary>
/// <remarks>
/// Pipeline: each attributed method is parsed once, inside the <c>ForAttributeWithMetadataName</c> transform, into an
/// equatable model without symbols or syntax; diagnostics flow on their own outputs; the emitted model holds no
/// locations, so edits that only move code do not re-emit sources.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class ScheduledHandlerGenerator : IIncrementalGenerator
{
    /// <summary>The metadata name of the attribute that marks handlers.</summary>
    public const string AttributeMetadataName = "Athomic.Scheduler.ScheduledHandlerAttribute";

    /// <summary>The assembly attribute that lets payload types without a generated formatter use MessagePack's dynamic resolver.</summary>
    public const string DynamicPayloadFormattersAttribute = "Athomic.Scheduler.DynamicPayloadFormattersAttribute";

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(AttributeMetadataName, static (_, _) => true, static (ctx, ct) => HandlerParser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Parse);

        var handlerDiagnostics = parsed
            .SelectMany(static (result, _) => result.Diagnostics.Where(static d => !d.IsWarning).ToImmutableArray())
            .WithTrackingName(TrackingNames.HandlerDiagnostics);
        context.RegisterSourceOutput(handlerDiagnostics, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));

        var handlers = parsed
            .SelectMany(static (result, _) => result.Handler is { } handler ? ImmutableArray.Create(handler) : ImmutableArray<ParsedHandler>.Empty)
            .WithTrackingName(TrackingNames.Handlers);
        var collected = handlers.Collect().WithTrackingName(TrackingNames.Collected);

        var conflicts = collected
            .SelectMany(static (all, _) => Planner.FindConflicts(all))
            .WithTrackingName(TrackingNames.ConflictDiagnostics);
        context.RegisterSourceOutput(conflicts, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));

        var recurringWithoutHandler = context.SyntaxProvider
            .ForAttributeWithMetadataName(RecurringParser.AttributeMetadataName, static (_, _) => true, static (ctx, _) => RecurringParser.WithoutHandler(ctx))
            .WithTrackingName(TrackingNames.RecurringWithoutHandler);
        context.RegisterSourceOutput(recurringWithoutHandler, static (spc, diagnostic) => ReportIfAny(spc, diagnostic));

        var keyMembers = context.SyntaxProvider
            .ForAttributeWithMetadataName(FlowParser.ConcurrencyKeyAttributeName, static (_, _) => true, static (ctx, _) => FlowParser.CheckKeyMember(ctx))
            .WithTrackingName(TrackingNames.ConcurrencyKeyDiagnostics);
        context.RegisterSourceOutput(keyMembers, static (spc, diagnostic) => ReportIfAny(spc, diagnostic));
        var keyParameters = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => FlowParser.IsOnRecordParameter(node), static (ctx, ct) => FlowParser.CheckKeyMember(ctx, ct))
            .WithTrackingName(TrackingNames.ConcurrencyKeyParameterDiagnostics);
        context.RegisterSourceOutput(keyParameters, static (spc, diagnostic) => ReportIfAny(spc, diagnostic));

        var unionSubtypes = context.SyntaxProvider
            .CreateSyntaxProvider(static (node, _) => UnionSubtypeParser.IsCandidate(node), static (ctx, ct) => UnionSubtypeParser.Parse(ctx, ct))
            .Where(static subtype => subtype is not null)
            .Select(static (subtype, _) => subtype!)
            .WithTrackingName(TrackingNames.UnionSubtypes);
        var unionWarnings = collected
            .Combine(unionSubtypes.Collect())
            .Select(static (pair, _) => new EquatableArrayBox<DiagnosticInfo>(new EquatableArray<DiagnosticInfo>(Planner.FindUnlistedUnionCases(pair.Left, pair.Right))))
            .WithTrackingName(TrackingNames.UnionCaseDiagnostics);

        // Warnings are reported at locations in their syntax trees, so that #pragma warning disable and
        // [SuppressMessage] apply (a location made from a path is not matched against the tree's pragmas). The trees
        // of unchanged files are the same objects in the next compilation, so equal diagnostics leave the output cached.
        var warnings = parsed
            .SelectMany(static (result, _) => result.Diagnostics.Where(static d => d.IsWarning).ToImmutableArray())
            .Collect()
            .Combine(unionWarnings)
            .Combine(context.CompilationProvider)
            .Select(static (pair, _) => new EquatableArrayBox<Diagnostic>(new EquatableArray<Diagnostic>(pair.Left.Left.Concat(pair.Left.Right.Items).Select(d => d.ToDiagnostic(pair.Right)))))
            .WithTrackingName(TrackingNames.Warnings);
        context.RegisterSourceOutput(warnings, static (spc, all) =>
        {
            foreach (var diagnostic in all.Items)
            {
                spc.ReportDiagnostic(diagnostic);
            }
        });

        var dynamicFallback = context.CompilationProvider
            .Select(static (compilation, _) => new FormatterSettings(Symbols.HasAttribute(compilation.Assembly, DynamicPayloadFormattersAttribute)))
            .WithTrackingName(TrackingNames.DynamicFallback);
        var formatterDiagnostics = collected
            .Combine(dynamicFallback)
            .SelectMany(static (pair, _) => Planner.FindUnformattable(pair.Left, pair.Right.DynamicFallback))
            .WithTrackingName(TrackingNames.FormatterDiagnostics);
        context.RegisterSourceOutput(formatterDiagnostics, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));

        var assemblyName = context.CompilationProvider
            .Select(static (compilation, _) => compilation.AssemblyName ?? string.Empty)
            .WithTrackingName(TrackingNames.AssemblyName);
        var generation = collected
            .Combine(assemblyName)
            .Combine(dynamicFallback)
            .Select(static (pair, _) => Planner.Plan(pair.Left.Left, pair.Left.Right, pair.Right.DynamicFallback))
            .WithTrackingName(TrackingNames.Generation);
        context.RegisterSourceOutput(generation, static (spc, spec) => Emitter.Emit(spc, spec));
    }

    private static void ReportIfAny(SourceProductionContext context, DiagnosticInfo? diagnostic)
    {
        if (diagnostic is not null)
        {
            context.ReportDiagnostic(diagnostic.ToDiagnostic());
        }
    }
}
