namespace Athomic.Scheduler.Generators;

/// <summary>The names of the generator's incremental steps, for tests that inspect tracked steps.</summary>
public static class TrackingNames
{
    /// <summary>One <c>[ScheduledHandler]</c> method parsed into a model and its diagnostics.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The diagnostics of single handlers.</summary>
    public const string HandlerDiagnostics = nameof(HandlerDiagnostics);

    /// <summary>The valid handlers.</summary>
    public const string Handlers = nameof(Handlers);

    /// <summary>All valid handlers of the assembly, collected.</summary>
    public const string Collected = nameof(Collected);

    /// <summary>Diagnostics that compare handlers with each other (duplicate names, method name collisions).</summary>
    public const string ConflictDiagnostics = nameof(ConflictDiagnostics);

    /// <summary>The assembly name, from the compilation.</summary>
    public const string AssemblyName = nameof(AssemblyName);

    /// <summary>A <c>[Recurring]</c> method without <c>[ScheduledHandler]</c>, reported (ATS022).</summary>
    public const string RecurringWithoutHandler = nameof(RecurringWithoutHandler);

    /// <summary>A <c>[ConcurrencyKey]</c> member of a type that cannot be a concurrency key, reported (ATS030).</summary>
    public const string ConcurrencyKeyDiagnostics = nameof(ConcurrencyKeyDiagnostics);

    /// <summary>The same for <c>[property: ConcurrencyKey]</c> on a positional record's parameter (ATS030).</summary>
    public const string ConcurrencyKeyParameterDiagnostics = nameof(ConcurrencyKeyParameterDiagnostics);

    /// <summary>The concrete classes and structs of the compilation with base types, for the <c>[Union]</c> case check.</summary>
    public const string UnionSubtypes = nameof(UnionSubtypes);

    /// <summary>Subtypes of a payload's <c>[Union]</c> type that are not among its cases (ATS032).</summary>
    public const string UnionCaseDiagnostics = nameof(UnionCaseDiagnostics);

    /// <summary>Every warning (ATS031, ATS032), located in its syntax tree so that pragmas suppress it, reported.</summary>
    public const string Warnings = nameof(Warnings);

    /// <summary>Whether the assembly opted out of generated-only formatters with <c>[assembly: DynamicPayloadFormatters]</c>.</summary>
    public const string DynamicFallback = nameof(DynamicFallback);

    /// <summary>Payload types without a generated formatter, reported (ATS023) unless the assembly opted out.</summary>
    public const string FormatterDiagnostics = nameof(FormatterDiagnostics);

    /// <summary>The location-free model of everything emitted.</summary>
    public const string Generation = nameof(Generation);
}
