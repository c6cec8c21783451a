namespace Athomic.Scheduler.Generators.Model;

/// <summary>What a handler method returns.</summary>
internal enum HandlerReturnKind
{
    Void,
    Task,
    ValueTask,
}

/// <summary>The role of one handler parameter.</summary>
internal enum HandlerParameterKind
{
    Payload,
    CancellationToken,
    Context,
}

/// <summary>Everything the emitter needs about one valid handler; type names are <c>global::</c>-qualified C#.</summary>
/// <param name="Name">The handler name stored with each task.</param>
/// <param name="MethodDisplay">The method for messages, e.g. <c>MyApp.TrialHandlers.EndTrial</c>.</param>
/// <param name="ContainingType">The containing type, e.g. <c>global::MyApp.TrialHandlers</c>.</param>
/// <param name="MethodName">The method name as a C# identifier (keywords escaped with <c>@</c>).</param>
/// <param name="ScheduleName">The part between <c>Schedule</c> and <c>Async</c> in the generated method names.</param>
/// <param name="IsStatic">Whether the method is static; otherwise the containing type is resolved from DI.</param>
/// <param name="IsPublic">Whether the method is public in public types, so the generated methods can be public.</param>
/// <param name="ReturnKind">What the method returns.</param>
/// <param name="Parameters">The roles of the method's parameters, in declaration order.</param>
/// <param name="PayloadType">The payload type with nullable annotations, or <see langword="null"/> without payload.</param>
/// <param name="PayloadDisplay">The payload type for messages, or <see langword="null"/>.</param>
/// <param name="MaxAttempts">Attempts before dead-lettering; 0 for the global default.</param>
/// <param name="Summary">The handler's own doc summary as lines of XML doc text; empty when it has none.</param>
/// <param name="Recurring">The handler's static <c>[Recurring]</c> schedule, or <see langword="null"/>.</param>
/// <param name="Payload">The shapes of the payload type for the generated formatters, or <see langword="null"/> without payload.</param>
/// <param name="Flow">The handler's flow control (limits, rate, timeout, priority), or <see langword="null"/> when it declares none.</param>
internal sealed record HandlerSpec(
    string Name,
    string MethodDisplay,
    string ContainingType,
    string MethodName,
    string ScheduleName,
    bool IsStatic,
    bool IsPublic,
    HandlerReturnKind ReturnKind,
    EquatableArray<HandlerParameterKind> Parameters,
    string? PayloadType,
    string? PayloadDisplay,
    int MaxAttempts,
    EquatableArray<string> Summary,
    RecurringSpec? Recurring = null,
    PayloadShapes? Payload = null,
    FlowSpec? Flow = null)
{
    public string DelayMethodName => "Schedule" + ScheduleName + "Async";

    public string AtMethodName => "Schedule" + ScheduleName + "AtAsync";

    public string RecurringMethodName => "AddOrUpdateRecurring" + ScheduleName + "Async";
}

/// <summary>A static recurring schedule from <c>[Recurring]</c>; checked at compile time.</summary>
/// <param name="ScheduleId">The schedule id (the handler name unless <c>Id</c> is given).</param>
/// <param name="Cron">The cron expression, or <see langword="null"/> for an interval.</param>
/// <param name="TimeZone">The time zone id, or <see langword="null"/> for UTC.</param>
/// <param name="EverySeconds">The interval in seconds; 0 for a cron schedule.</param>
/// <param name="Misfire">The misfire policy's name (<c>RunOnce</c>, <c>RunAll</c> or <c>Skip</c>).</param>
internal sealed record RecurringSpec(string ScheduleId, string? Cron, string? TimeZone, long EverySeconds, string Misfire);

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

/// <summary>One handler to emit.</summary>
/// <param name="Spec">The handler.</param>
/// <param name="EmitScheduleMethods">False when its generated method names collide with another handler's (reported as ATS002).</param>
internal sealed record GeneratedHandler(HandlerSpec Spec, bool EmitScheduleMethods);

/// <summary>All the generator emits for one assembly; holds no locations, so moving code around does not re-emit.</summary>
/// <param name="AssemblyIdentifier">The assembly name as an identifier, used in the generated type and method names.</param>
/// <param name="AssemblyName">The assembly name, for docs.</param>
/// <param name="Handlers">The handlers, sorted by handler name then method (ordinal).</param>
/// <param name="Shapes">Every payload shape of every handler, sorted by id; the formatters' method numbers are indexes into it.</param>
/// <param name="DynamicFallback">Whether the assembly opted out with <c>[assembly: DynamicPayloadFormatters]</c>, so <see cref="ShapeKind.Dynamic"/> shapes use MessagePack's standard resolver.</param>
internal sealed record GenerationSpec(
    string AssemblyIdentifier,
    string AssemblyName,
    EquatableArray<GeneratedHandler> Handlers,
    EquatableArray<TypeShape> Shapes = default,
    bool DynamicFallback = false);
