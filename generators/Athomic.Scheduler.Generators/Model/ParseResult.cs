namespace Athomic.Scheduler.Generators.Model;

/// <summary>A valid handler and where it is declared, for diagnostics that compare handlers with each other.</summary>
/// <param name="Spec">The handler.</param>
/// <param name="NameLocation">The explicit name argument, or the method name for a default name.</param>
/// <param name="MethodLocation">The method name.</param>
/// <param name="PayloadLocation">The payload parameter's type, or <see langword="null"/> without payload.</param>
/// <param name="RecurringLocation">The <c>[Recurring]</c> schedule's <c>Id</c> argument, else the attribute; <see langword="null"/> without one.</param>
internal sealed record ParsedHandler(HandlerSpec Spec, LocationInfo? NameLocation, LocationInfo? MethodLocation, LocationInfo? PayloadLocation = null, LocationInfo? RecurringLocation = null);

/// <summary>The result of parsing one <c>[ScheduledHandler]</c> method: the handler when valid, and its diagnostics.</summary>
/// <param name="Handler">The handler, or <see langword="null"/> when the method cannot be a handler.</param>
/// <param name="Diagnostics">What is wrong with it.</param>
internal sealed record ParseResult(ParsedHandler? Handler, EquatableArray<DiagnosticInfo> Diagnostics);
