using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Generators;

/// <summary>Reads and checks a handler's <c>[Recurring]</c> attribute into a <see cref="RecurringSpec"/>.</summary>
internal static class RecurringParser
{
    public const string AttributeMetadataName = "Athomic.Scheduler.RecurringAttribute";

    private static readonly string[] MisfireNames = { "RunOnce", "RunAll", "Skip" };

    /// <summary>ATS022 when a <c>[Recurring]</c> method has no <c>[ScheduledHandler]</c> (it would silently never run).</summary>
    public static DiagnosticInfo? WithoutHandler(GeneratorAttributeSyntaxContext context)
    {
        foreach (var attribute in context.TargetSymbol.GetAttributes())
        {
            if (attribute.AttributeClass is { } attributeClass && Symbols.HasFullName(attributeClass, ScheduledHandlerGenerator.AttributeMetadataName))
            {
                return null;
            }
        }

        var location = context.Attributes.Length > 0 ? context.Attributes[0].ApplicationSyntaxReference?.GetSyntax() : null;
        var name = context.TargetSymbol.ContainingType is { } type ? Naming.QualifiedName(type) + "." + context.TargetSymbol.Name : context.TargetSymbol.Name;
        return DiagnosticInfo.Create(DiagnosticDescriptors.RecurringWithoutHandler, LocationInfo.From(location), name);
    }

    public static RecurringSpec? Parse(
        IMethodSymbol method,
        string display,
        string handlerName,
        string? payloadDisplay,
        LocationInfo? methodLocation,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        out LocationInfo? location)
    {
        location = null;
        AttributeData? attribute = null;
        foreach (var candidate in method.GetAttributes())
        {
            if (candidate.AttributeClass is { } attributeClass && Symbols.HasFullName(attributeClass, AttributeMetadataName))
            {
                attribute = candidate;
            }
        }

        if (attribute is null)
        {
            return null;
        }

        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        var attributeLocation = LocationInfo.From(syntax) ?? methodLocation;
        var cron = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as string : null;
        string? zone = null, every = null, id = null;
        var misfire = 0;
        foreach (var argument in attribute.NamedArguments)
        {
            switch (argument.Key)
            {
                case "TimeZone": zone = argument.Value.Value as string; break;
                case "Every": every = argument.Value.Value as string; break;
                case "Id": id = argument.Value.Value as string; break;
                case "Misfire": misfire = argument.Value.Value is int m ? m : 0; break;
            }
        }

        location = LocationInfo.From(Symbols.NamedArgument(syntax, "Id")) ?? attributeLocation;
        var count = diagnostics.Count;
        void Invalid(string problem, AttributeArgumentSyntax? at) =>
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidRecurring, LocationInfo.From(at) ?? attributeLocation, display, problem));

        if (payloadDisplay is not null)
        {
            diagnostics.Add(DiagnosticInfo.Create(
                DiagnosticDescriptors.RecurringWithPayload, attributeLocation, display, payloadDisplay, "AddOrUpdateRecurring" + Naming.ScheduleName(method.Name) + "Async"));
        }

        long everySeconds = 0;
        if ((cron is null) == (every is null))
        {
            Invalid("give either a cron expression or Every, not both and not neither", null);
        }
        else if (cron is not null && CronSyntax.Check(cron) is { } problem)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidCron, LocationInfo.From(Symbols.PositionalArgument(syntax)?.Expression) ?? attributeLocation, cron, display, problem));
        }
        else if (every is not null)
        {
            if (!TimeSpan.TryParse(every, CultureInfo.InvariantCulture, out var interval) || interval.Ticks % TimeSpan.TicksPerSecond != 0 || interval < TimeSpan.FromSeconds(1))
            {
                Invalid("Every = \"" + every + "\" is not a whole number of seconds of at least 00:00:01 ([d.]hh:mm:ss)", Symbols.NamedArgument(syntax, "Every"));
            }
            else
            {
                everySeconds = interval.Ticks / TimeSpan.TicksPerSecond;
            }

            if (zone is not null)
            {
                Invalid("TimeZone applies to cron expressions only; an interval is anchored at the Unix epoch (UTC)", Symbols.NamedArgument(syntax, "TimeZone"));
            }
        }

        if (cron is not null && zone is not null && !KnownTimeZones.Contains(zone))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownTimeZone, LocationInfo.From(Symbols.NamedArgument(syntax, "TimeZone")?.Expression) ?? attributeLocation, zone, display));
        }

        if (misfire < 0 || misfire >= MisfireNames.Length)
        {
            Invalid("Misfire is not a MisfirePolicy value", Symbols.NamedArgument(syntax, "Misfire"));
        }

        var scheduleId = id ?? handlerName;
        if (Naming.HandlerNameProblem(scheduleId) is { } idProblem || scheduleId.IndexOf('@') >= 0 || scheduleId.Length > 236)
        {
            Invalid("the schedule id '" + scheduleId + "' must be 1 to 236 characters with no whitespace, control characters, '{', '}', '*' or '@'", Symbols.NamedArgument(syntax, "Id"));
        }

        return diagnostics.Count > count ? null : new RecurringSpec(scheduleId, cron, zone, everySeconds, MisfireNames[misfire]);
    }
}
