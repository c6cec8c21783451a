using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators;

/// <summary>The diagnostics of the generator. Ids are fixed once shipped; see AnalyzerReleases.*.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "Athomic.Scheduler";

    public static readonly DiagnosticDescriptor DuplicateHandlerName = Error(
        "ATS001",
        "Duplicate handler name",
        "The handler name '{0}' is used by both '{1}' and '{2}'; give one of them another name with [ScheduledHandler(\"name\")]");

    public static readonly DiagnosticDescriptor GeneratedNameCollision = Error(
        "ATS002",
        "Generated method name already taken",
        "Handler '{0}' would generate the method '{1}', which is already taken by {2}; rename the handler method (an explicit [ScheduledHandler(\"name\")] keeps its handler name stable)");

    public static readonly DiagnosticDescriptor InvalidHandlerName = Error(
        "ATS003",
        "Invalid handler name",
        "The handler name '{0}' of '{1}' is invalid: {2}; a handler name has 1 to 256 characters and no whitespace, control characters, '{{', '}}' or '*', so pass a valid one to [ScheduledHandler(\"name\")]");

    public static readonly DiagnosticDescriptor TooManyParameters = Error(
        "ATS004",
        "Handler has two parameters of the same role",
        "Handler '{0}' has two {1} parameters, '{2}' and '{3}'; a handler takes at most one payload, one CancellationToken and one TaskContext, so wrap several values in one [MessagePackObject] type");

    public static readonly DiagnosticDescriptor ByRefParameter = Error(
        "ATS005",
        "Handler parameter passed by reference",
        "Parameter '{1}' of handler '{0}' is passed by reference ({2}); remove the modifier, handler parameters are passed by value");

    public static readonly DiagnosticDescriptor PointerParameter = Error(
        "ATS006",
        "Handler parameter of pointer type",
        "Parameter '{1}' of handler '{0}' has the pointer type '{2}', which cannot be scheduled; use a [MessagePackObject] payload instead");

    public static readonly DiagnosticDescriptor GenericHandler = Error(
        "ATS007",
        "Generic handler method",
        "Handler '{0}' is generic; a handler cannot have type parameters, so declare one non-generic handler per payload type");

    public static readonly DiagnosticDescriptor HandlerInGenericType = Error(
        "ATS008",
        "Handler in a generic type",
        "Handler '{0}' is declared in the generic type '{1}'; move it to a non-generic type");

    public static readonly DiagnosticDescriptor InaccessibleHandler = Error(
        "ATS009",
        "Handler not accessible from generated code",
        "Handler '{0}' cannot be called from generated code because '{1}' is {2}; make '{1}' public or internal");

    public static readonly DiagnosticDescriptor AsyncVoidHandler = Error(
        "ATS010",
        "Async void handler",
        "Handler '{0}' is async void, so the scheduler cannot await it or see its exceptions; return Task or ValueTask instead");

    public static readonly DiagnosticDescriptor UnsupportedReturnType = Error(
        "ATS011",
        "Unsupported handler return type",
        "Handler '{0}' returns '{1}'; return Task, ValueTask or void");

    public static readonly DiagnosticDescriptor UnserializablePayload = Error(
        "ATS012",
        "Payload type not serializable by MessagePack",
        "The payload type '{0}' of handler '{1}' cannot be serialized by MessagePack: {2}; use a type MessagePack handles natively or mark the type [MessagePackObject] with [Key] members");

    public static readonly DiagnosticDescriptor AbstractHandler = Error(
        "ATS013",
        "Abstract or interface handler",
        "Handler '{0}' is {1} and has no body to run; put [ScheduledHandler] on a method with a body in a class");

    public static readonly DiagnosticDescriptor InstanceHandlerInStaticClass = Error(
        "ATS014",
        "Instance handler in a static class",
        "Handler '{0}' is an instance method of the static class '{1}', which cannot be created; make the method static");

    public static readonly DiagnosticDescriptor InstanceHandlerInUncreatableType = Error(
        "ATS015",
        "Instance handler in a type DI cannot create",
        "Handler '{0}' is an instance method of '{1}', {2} that dependency injection cannot create; make the method static or move it to a non-abstract class");

    public static readonly DiagnosticDescriptor InvalidMaxAttempts = Error(
        "ATS016",
        "Invalid MaxAttempts",
        "MaxAttempts of handler '{0}' is {1}; use 0 for the global default or a positive number of attempts");

    public static readonly DiagnosticDescriptor NotAnOrdinaryMethod = Error(
        "ATS017",
        "Handler is not an ordinary method",
        "'{0}' is {1}; put [ScheduledHandler] on an ordinary named method of a class");

    public static readonly DiagnosticDescriptor InvalidCron = Error(
        "ATS018",
        "Invalid cron expression",
        "The cron expression '{0}' of '{1}' is invalid: {2}");

    public static readonly DiagnosticDescriptor UnknownTimeZone = Error(
        "ATS019",
        "Unknown time zone",
        "The time zone '{0}' of '{1}' is not a known IANA or Windows time zone id; use an IANA id such as 'Europe/Berlin' (ids are checked against the generator's tzdata snapshot)");

    public static readonly DiagnosticDescriptor InvalidRecurring = Error(
        "ATS020",
        "Invalid recurring schedule",
        "The [Recurring] schedule of '{0}' is invalid: {1}");

    public static readonly DiagnosticDescriptor RecurringWithPayload = Error(
        "ATS021",
        "Static recurring schedule on a handler with a payload",
        "'{0}' takes a payload of type '{1}', but a [Recurring] schedule carries no payload; remove the payload parameter, or add the schedule at run time with {2}");

    public static readonly DiagnosticDescriptor RecurringWithoutHandler = Error(
        "ATS022",
        "[Recurring] without [ScheduledHandler]",
        "'{0}' has [Recurring] but no [ScheduledHandler], so its schedule would never be registered; add [ScheduledHandler] to the method");

    public static readonly DiagnosticDescriptor NoGeneratedFormatter = Error(
        "ATS023",
        "Payload type without a generated formatter",
        "The payload type '{0}' of handler '{1}' has no generated MessagePack formatter: {2}; use types the generator formats (see the README section \"Native AOT\"), or add [assembly: Athomic.Scheduler.DynamicPayloadFormatters] to let MessagePack's dynamic resolver handle them (not compatible with Native AOT or trimming)");

    public static readonly DiagnosticDescriptor MessagePackRule = Error(
        "ATS024",
        "Payload type breaks a MessagePack rule",
        "The payload type '{0}' of handler '{1}' would fail to serialize at run time: {2}");

    public static readonly DiagnosticDescriptor InvalidFlowLimit = Error(
        "ATS025",
        "Invalid flow limit",
        "{1} of handler '{0}' is {2}; a limit must be positive, so leave {1} unset for no limit");

    public static readonly DiagnosticDescriptor InvalidPriority = Error(
        "ATS026",
        "Invalid priority",
        "Priority of handler '{0}' is {1}; use 0 (the default and the lowest) to 1000");

    public static readonly DiagnosticDescriptor InvalidFlowDuration = Error(
        "ATS027",
        "Invalid timeout or rate window",
        "{1} = \"{2}\" of handler '{0}' {3}; give a TimeSpan of at least 1 millisecond as [d.]hh:mm:ss[.fffffff], for example \"00:00:30\"");

    public static readonly DiagnosticDescriptor RateLimitWithoutWindow = Error(
        "ATS028",
        "Rate limit without its window",
        "Handler '{0}' sets {1} but not {2}; a rate limit needs both, for example RateLimit = 10, RateLimitWindow = \"00:00:01\"");

    public static readonly DiagnosticDescriptor NoConcurrencyKey = Error(
        "ATS029",
        "MaxConcurrencyPerKey without a usable concurrency key",
        "Handler '{0}' sets MaxConcurrencyPerKey, but {1}; a per-key limit needs exactly one serialized payload member marked [ConcurrencyKey]");

    public static readonly DiagnosticDescriptor InvalidConcurrencyKeyType = Error(
        "ATS030",
        "Unsupported concurrency key type",
        "The [ConcurrencyKey] member '{0}' has the type '{1}'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these");

    public static readonly DiagnosticDescriptor UnusedConcurrencyKey = Warning(
        "ATS031",
        "Concurrency key without MaxConcurrencyPerKey",
        "The payload type '{0}' of handler '{1}' marks {2} [ConcurrencyKey], but the handler sets no MaxConcurrencyPerKey, so the key is unused; set MaxConcurrencyPerKey on the handler, or remove [ConcurrencyKey]");

    public static readonly DiagnosticDescriptor UnlistedUnionCase = Warning(
        "ATS032",
        "Subtype of a [Union] type that is not one of its cases",
        "'{0}' {1} '{2}', a [Union] type in the payload of handler '{3}', but is not one of its [Union] cases, so a '{0}' is written as nil and its data is lost; add [Union(key, typeof({0}))] to '{2}'");

    public static readonly DiagnosticDescriptor DuplicateRecurringId = Error(
        "ATS033",
        "Static recurring schedule id used twice",
        "The [Recurring] schedule id '{0}' is used by both '{1}' and '{2}', so one schedule would overwrite the other; give one of them another Id");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = Index(
        DuplicateHandlerName,
        GeneratedNameCollision,
        InvalidHandlerName,
        TooManyParameters,
        ByRefParameter,
        PointerParameter,
        GenericHandler,
        HandlerInGenericType,
        InaccessibleHandler,
        AsyncVoidHandler,
        UnsupportedReturnType,
        UnserializablePayload,
        AbstractHandler,
        InstanceHandlerInStaticClass,
        InstanceHandlerInUncreatableType,
        InvalidMaxAttempts,
        NotAnOrdinaryMethod,
        InvalidCron,
        UnknownTimeZone,
        InvalidRecurring,
        RecurringWithPayload,
        RecurringWithoutHandler,
        NoGeneratedFormatter,
        MessagePackRule,
        InvalidFlowLimit,
        InvalidPriority,
        InvalidFlowDuration,
        RateLimitWithoutWindow,
        NoConcurrencyKey,
        InvalidConcurrencyKeyType,
        UnusedConcurrencyKey,
        UnlistedUnionCase,
        DuplicateRecurringId);

    /// <summary>All descriptors, by id.</summary>
    public static IReadOnlyDictionary<string, DiagnosticDescriptor> All => ById;

    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    private static Dictionary<string, DiagnosticDescriptor> Index(params DiagnosticDescriptor[] descriptors)
    {
        var byId = new Dictionary<string, DiagnosticDescriptor>();
        foreach (var descriptor in descriptors)
        {
            byId.Add(descriptor.Id, descriptor);
        }

        return byId;
    }
}
