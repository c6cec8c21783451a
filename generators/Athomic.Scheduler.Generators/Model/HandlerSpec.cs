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
