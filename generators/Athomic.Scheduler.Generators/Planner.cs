using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Athomic.Scheduler.Generators.Model;

namespace Athomic.Scheduler.Generators;

/// <summary>Looks at all handlers of the assembly together: name conflicts, and the model the emitter writes.</summary>
internal static class Planner
{
    /// <summary>Names of <c>IScheduler</c> methods that a generated method must not take.</summary>
    private static readonly string[] SchedulerMethods = { "ScheduleAsync", "ScheduleAtAsync", "ScheduleManyAsync" };

    /// <summary>The handlers in emission order: handler name, then method, then declaration place (all ordinal).</summary>
    public static ImmutableArray<ParsedHandler> Sort(ImmutableArray<ParsedHandler> handlers) =>
        handlers
            .OrderBy(h => h.Spec.Name, StringComparer.Ordinal)
            .ThenBy(h => h.Spec.MethodDisplay, StringComparer.Ordinal)
            .ThenBy(h => h.MethodLocation?.FilePath ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(h => h.MethodLocation?.Span.Start ?? 0)
            .ToImmutableArray();

    /// <summary>
    /// ATS001 for handler names used twice, ATS002 for generated method names taken twice, ATS033 for static
    /// recurring schedule ids used twice (by handlers of different names: the same name is ATS001 already).
    /// </summary>
    public static ImmutableArray<DiagnosticInfo> FindConflicts(ImmutableArray<ParsedHandler> handlers)
    {
        var sorted = Sort(handlers);
        var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        var byName = GroupBy(sorted, h => new[] { h.Spec.Name });
        var byMethod = GroupBy(sorted, h => new[] { h.Spec.DelayMethodName, h.Spec.AtMethodName });
        var bySchedule = GroupBy(sorted, h => h.Spec.Recurring is { } r ? new[] { r.ScheduleId } : Array.Empty<string>());
        foreach (var handler in sorted)
        {
            if (handler.Spec.Recurring is { } recurring
                && bySchedule[recurring.ScheduleId].FirstOrDefault(h => h.Spec.Name != handler.Spec.Name) is { } sameSchedule)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DuplicateRecurringId, handler.RecurringLocation, recurring.ScheduleId, handler.Spec.MethodDisplay, sameSchedule.Spec.MethodDisplay));
            }

            var sameName = byName[handler.Spec.Name];
            if (sameName.Count > 1)
            {
                var other = sameName.First(h => !ReferenceEquals(h, handler));
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.DuplicateHandlerName, handler.NameLocation, handler.Spec.Name, handler.Spec.MethodDisplay, other.Spec.MethodDisplay));
            }

            if (Collision(handler, byMethod) is { } collision)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.GeneratedNameCollision, handler.MethodLocation, handler.Spec.MethodDisplay, collision.Method, collision.TakenBy));
            }
        }

        return diagnostics.ToImmutable();
    }

    /// <summary>ATS023 for every payload with parts the generator cannot format, unless the assembly opted out.</summary>
    public static ImmutableArray<DiagnosticInfo> FindUnformattable(ImmutableArray<ParsedHandler> handlers, bool dynamicFallback)
    {
        if (dynamicFallback)
        {
            return ImmutableArray<DiagnosticInfo>.Empty;
        }

        var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        foreach (var handler in Sort(handlers))
        {
            if (handler.Spec.Payload is { Unformattable.Count: > 0 } payload)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.NoGeneratedFormatter, handler.PayloadLocation, handler.Spec.PayloadDisplay ?? string.Empty, handler.Spec.MethodDisplay, string.Join("; ", payload.Unformattable)));
            }
        }

        return diagnostics.ToImmutable();
    }

    /// <summary>
    /// ATS032 for every concrete type of the compilation that derives from or implements a <c>[Union]</c> type of a
    /// handler's payload without being one of its cases: its values would be written as nil.
    /// </summary>
    public static ImmutableArray<DiagnosticInfo> FindUnlistedUnionCases(ImmutableArray<ParsedHandler> handlers, ImmutableArray<UnionSubtype> subtypes)
    {
        var unions = new Dictionary<string, (TypeShape Shape, string Handler)>(StringComparer.Ordinal);
        foreach (var handler in Sort(handlers))
        {
            foreach (var shape in handler.Spec.Payload?.Shapes ?? default)
            {
                if (shape.Kind == ShapeKind.Union && !unions.ContainsKey(shape.Id))
                {
                    unions.Add(shape.Id, (shape, handler.Spec.MethodDisplay));
                }
            }
        }

        var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        if (unions.Count == 0)
        {
            return diagnostics.ToImmutable();
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ordered = subtypes
            .OrderBy(t => t.Location?.FilePath ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(t => t.Location?.Span.Start ?? 0);
        foreach (var subtype in ordered.Where(t => seen.Add(t.TypeId)))
        {
            var bases = subtype.BaseClasses.Select(id => (Id: id, Verb: "derives from"))
                .Concat(subtype.Interfaces.Select(id => (Id: id, Verb: "implements")));
            foreach (var (id, verb) in bases)
            {
                if (unions.TryGetValue(id, out var union) && !union.Shape.Arguments.Contains(subtype.TypeId))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        DiagnosticDescriptors.UnlistedUnionCase, subtype.Location, subtype.Display, verb, union.Shape.Display, union.Handler));
                }
            }
        }

        return diagnostics.ToImmutable();
    }

    /// <summary>The model to emit, or <see langword="null"/> when the assembly has no valid handler.</summary>
    public static GenerationSpec? Plan(ImmutableArray<ParsedHandler> handlers, string assemblyName, bool dynamicFallback = false)
    {
        if (handlers.IsDefaultOrEmpty)
        {
            return null;
        }

        var sorted = Sort(handlers);
        var byMethod = GroupBy(sorted, h => new[] { h.Spec.DelayMethodName, h.Spec.AtMethodName });
        var generated = sorted
            .Select(h => new GeneratedHandler(h.Spec, OwnsItsMethodNames(h, byMethod)))
            .ToArray();
        var shapes = new SortedDictionary<string, TypeShape>(StringComparer.Ordinal);
        foreach (var handler in sorted)
        {
            foreach (var shape in handler.Spec.Payload?.Shapes ?? default)
            {
                shapes[shape.Id] = shape;
            }
        }

        return new GenerationSpec(
            Naming.AssemblyIdentifier(assemblyName),
            assemblyName,
            new EquatableArray<GeneratedHandler>(generated),
            new EquatableArray<TypeShape>(shapes.Values),
            dynamicFallback);
    }

    private static (string Method, string TakenBy)? Collision(ParsedHandler handler, Dictionary<string, List<ParsedHandler>> byMethod)
    {
        foreach (var method in new[] { handler.Spec.DelayMethodName, handler.Spec.AtMethodName })
        {
            if (Array.IndexOf(SchedulerMethods, method) >= 0)
            {
                return (method, "IScheduler." + method);
            }

            var others = byMethod[method];
            if (others.Count > 1)
            {
                return (method, "'" + others.First(h => !ReferenceEquals(h, handler)).Spec.MethodDisplay + "'");
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="handler"/> is the first (in emission order) to claim each of its method names.</summary>
    private static bool OwnsItsMethodNames(ParsedHandler handler, Dictionary<string, List<ParsedHandler>> byMethod) =>
        new[] { handler.Spec.DelayMethodName, handler.Spec.AtMethodName }.All(
            method => Array.IndexOf(SchedulerMethods, method) < 0 && ReferenceEquals(byMethod[method][0], handler));

    private static Dictionary<string, List<ParsedHandler>> GroupBy(ImmutableArray<ParsedHandler> handlers, Func<ParsedHandler, string[]> keys)
    {
        var groups = new Dictionary<string, List<ParsedHandler>>(StringComparer.Ordinal);
        foreach (var handler in handlers)
        {
            foreach (var key in keys(handler))
            {
                if (!groups.TryGetValue(key, out var group))
                {
                    groups.Add(key, group = new List<ParsedHandler>());
                }

                if (!group.Contains(handler))
                {
                    group.Add(handler);
                }
            }
        }

        return groups;
    }
}
