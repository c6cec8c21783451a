using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;
using static Athomic.Scheduler.Generators.Tests.Infrastructure.DiagnosticAssert;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// The flow control diagnostics (limits, priority, durations, concurrency keys) and the two hazards that fail silently
/// at run time (a [Union] subtype that is not a case, two static schedules with one id), asserted by id, span and
/// message; any other diagnostic fails the test.
/// </summary>
public sealed class FlowDiagnosticTests
{
    private const string Header = """
        using System;
        using Athomic.Scheduler;
        using MessagePack;

        namespace App;

        """;

    private const string Keyed = """

        public enum Region : byte { North, South }

        [MessagePackObject]
        public sealed record Keyed([property: Key(0), ConcurrencyKey] Guid CustomerId, [property: Key(1)] bool Full);

        [MessagePackObject]
        public sealed record Unkeyed([property: Key(0)] Guid CustomerId);
        """;

    private const string DurationFix = "give a TimeSpan of at least 1 millisecond as [d.]hh:mm:ss[.fffffff], for example \"00:00:30\"";
    private const string KeyRule = "a per-key limit needs exactly one serialized payload member marked [ConcurrencyKey]";

    [Fact]
    public void ATS025_limits_of_zero_or_less()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler({|#0:MaxConcurrency = 0|})] public static void Zero() { }
                [ScheduledHandler({|#1:RateLimit = -1|}, RateLimitWindow = "00:00:01")] public static void Negative() { }
                [ScheduledHandler({|#2:MaxConcurrencyPerKey = 0|})] public static void PerKey(Keyed payload) { }
                [ScheduledHandler(MaxConcurrency = 1, MaxConcurrencyPerKey = 2, RateLimit = int.MaxValue, RateLimitWindow = "1.00:00:00")] public static void Valid(Keyed payload) { }
            }
            """ + Keyed,
            new Expected("ATS025", 0, "MaxConcurrency of handler 'App.Jobs.Zero' is 0; a limit must be positive, so leave MaxConcurrency unset for no limit"),
            new Expected("ATS025", 1, "RateLimit of handler 'App.Jobs.Negative' is -1; a limit must be positive, so leave RateLimit unset for no limit"),
            new Expected("ATS025", 2, "MaxConcurrencyPerKey of handler 'App.Jobs.PerKey' is 0; a limit must be positive, so leave MaxConcurrencyPerKey unset for no limit"));
    }

    [Fact]
    public void ATS026_priority_outside_0_to_1000()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler({|#0:Priority = -1|})] public static void Low() { }
                [ScheduledHandler({|#1:Priority = 1001|})] public static void High() { }
                [ScheduledHandler(Priority = 0)] public static void Default() { }
                [ScheduledHandler(Priority = 1000)] public static void Highest() { }
            }
            """,
            new Expected("ATS026", 0, "Priority of handler 'App.Jobs.Low' is -1; use 0 (the default and the lowest) to 1000"),
            new Expected("ATS026", 1, "Priority of handler 'App.Jobs.High' is 1001; use 0 (the default and the lowest) to 1000"));
    }

    [Fact]
    public void ATS027_timeouts_and_windows_that_are_not_a_positive_TimeSpan()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler({|#0:Timeout = "soon"|})] public static void Text() { }
                [ScheduledHandler({|#1:Timeout = "00:00:00"|})] public static void Zero() { }
                [ScheduledHandler({|#2:Timeout = "-00:00:01"|})] public static void Negative() { }
                [ScheduledHandler({|#3:Timeout = "00:61:00"|})] public static void OutOfRange() { }
                [ScheduledHandler(RateLimit = 5, {|#4:RateLimitWindow = "00:00:00.0001"|})] public static void SubMillisecond() { }
                [ScheduledHandler(Timeout = "1.02:03:04.5")] public static void Valid() { }
            }
            """,
            new Expected("ATS027", 0, "Timeout = \"soon\" of handler 'App.Jobs.Text' is not a TimeSpan; " + DurationFix),
            new Expected("ATS027", 1, "Timeout = \"00:00:00\" of handler 'App.Jobs.Zero' is not positive; " + DurationFix),
            new Expected("ATS027", 2, "Timeout = \"-00:00:01\" of handler 'App.Jobs.Negative' is not positive; " + DurationFix),
            new Expected("ATS027", 3, "Timeout = \"00:61:00\" of handler 'App.Jobs.OutOfRange' is not a TimeSpan; " + DurationFix),
            new Expected("ATS027", 4, "RateLimitWindow = \"00:00:00.0001\" of handler 'App.Jobs.SubMillisecond' is shorter than 1 millisecond; " + DurationFix));
    }

    [Fact]
    public void ATS028_rate_limit_and_window_go_together()
    {
        const string Example = "a rate limit needs both, for example RateLimit = 10, RateLimitWindow = \"00:00:01\"";
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler({|#0:RateLimit = 10|})] public static void NoWindow() { }
                [ScheduledHandler(MaxConcurrency = 2, {|#1:RateLimitWindow = "00:00:01"|})] public static void NoRate() { }
            }
            """,
            new Expected("ATS028", 0, "Handler 'App.Jobs.NoWindow' sets RateLimit but not RateLimitWindow; " + Example),
            new Expected("ATS028", 1, "Handler 'App.Jobs.NoRate' sets RateLimitWindow but not RateLimit; " + Example));
    }

    [Fact]
    public void ATS029_per_key_limit_without_exactly_one_usable_key()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler({|#0:MaxConcurrencyPerKey = 1|})] public static void NoPayload() { }
                [ScheduledHandler({|#1:MaxConcurrencyPerKey = 1|})] public static void NoKey(Unkeyed payload) { }
                [ScheduledHandler({|#2:MaxConcurrencyPerKey = 1|})] public static void TwoKeys(TwoKeys payload) { }
                [ScheduledHandler({|#3:MaxConcurrencyPerKey = 1|})] public static void Ignored(Ignored payload) { }
                [ScheduledHandler({|#4:MaxConcurrencyPerKey = 1|})] public static void Decimal(Priced payload) { }
                [ScheduledHandler({|#5:MaxConcurrencyPerKey = 1|})] public static void Primitive(string payload) { }
            }

            [MessagePackObject]
            public sealed class TwoKeys
            {
                [Key(0), ConcurrencyKey] public string? Tenant { get; set; }
                [Key(1), ConcurrencyKey] public int Shard;
            }

            [MessagePackObject]
            public sealed class Ignored
            {
                [Key(0)] public int Id { get; set; }
                [IgnoreMember, ConcurrencyKey] public string Tenant { get; set; } = "";
            }

            [MessagePackObject]
            public sealed record Priced([property: Key(0), {|#6:ConcurrencyKey|}] decimal Price);
            """ + Keyed,
            new Expected("ATS029", 0, "Handler 'App.Jobs.NoPayload' sets MaxConcurrencyPerKey, but it takes no payload; " + KeyRule),
            new Expected("ATS029", 1, "Handler 'App.Jobs.NoKey' sets MaxConcurrencyPerKey, but its payload type 'App.Unkeyed' has no member marked [ConcurrencyKey]; " + KeyRule),
            new Expected("ATS029", 2, "Handler 'App.Jobs.TwoKeys' sets MaxConcurrencyPerKey, but its payload type 'App.TwoKeys' has 2 members marked [ConcurrencyKey]: 'App.TwoKeys.Tenant', 'App.TwoKeys.Shard'; " + KeyRule),
            new Expected("ATS029", 3, "Handler 'App.Jobs.Ignored' sets MaxConcurrencyPerKey, but its [ConcurrencyKey] member 'App.Ignored.Tenant' is not a serialized public member, so every task would read the same key; " + KeyRule),
            new Expected("ATS029", 4, "Handler 'App.Jobs.Decimal' sets MaxConcurrencyPerKey, but its [ConcurrencyKey] member 'App.Priced.Price' has the type 'decimal', which cannot be a concurrency key; " + KeyRule),
            new Expected("ATS029", 5, "Handler 'App.Jobs.Primitive' sets MaxConcurrencyPerKey, but its payload type 'string' has no member marked [ConcurrencyKey]; " + KeyRule),
            new Expected("ATS030", 6, "The [ConcurrencyKey] member 'App.Priced.Price' has the type 'decimal'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"));
    }

    [Fact]
    public void ATS030_concurrency_key_of_an_unsupported_type_whether_used_or_not()
    {
        Verify(
            Header + """
            public sealed class Keys
            {
                [{|#0:ConcurrencyKey|}] public object? Boxed { get; set; }
                [{|#1:ConcurrencyKey|}] public double Ratio;
                [{|#2:ConcurrencyKey|}] public char Letter { get; set; }
                [{|#3:ConcurrencyKey|}] public DateTime? At { get; set; }
                [ConcurrencyKey] public string? Name { get; set; }
                [ConcurrencyKey] public ulong Big { get; set; }
                [ConcurrencyKey] public Guid? Maybe { get; set; }
                [ConcurrencyKey] public Region? Where { get; set; }
            }

            public record Line([property: {|#4:ConcurrencyKey|}] float Weight);
            """ + Keyed,
            new Expected("ATS030", 0, "The [ConcurrencyKey] member 'App.Keys.Boxed' has the type 'object?'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"),
            new Expected("ATS030", 1, "The [ConcurrencyKey] member 'App.Keys.Ratio' has the type 'double'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"),
            new Expected("ATS030", 2, "The [ConcurrencyKey] member 'App.Keys.Letter' has the type 'char'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"),
            new Expected("ATS030", 3, "The [ConcurrencyKey] member 'App.Keys.At' has the type 'System.DateTime?'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"),
            new Expected("ATS030", 4, "The [ConcurrencyKey] member 'App.Line.Weight' has the type 'float'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"));
    }

    /// <summary>
    /// Record parameters' <c>[property: …]</c> attributes are bound only when their name can be the key attribute
    /// (the generator's cost over many payload records); a using alias of it, file-local or global, still is one.
    /// </summary>
    [Fact]
    public void ATS030_concurrency_key_on_a_record_parameter_through_a_using_alias()
    {
        Verify(
            """
            global using GlobalKey = Athomic.Scheduler.ConcurrencyKeyAttribute;
            using System;
            using Athomic.Scheduler;
            using MessagePack;
            using LocalKeyAttribute = global::Athomic.Scheduler.ConcurrencyKeyAttribute;

            namespace App;

            public record Line([property: {|#0:GlobalKey|}] float Weight, [property: {|#1:LocalKey|}] double Ratio, [property: {|#2:Athomic.Scheduler.ConcurrencyKey|}] char Letter);
            public record Fine([property: GlobalKey] string Name, [property: Obsolete] double Ratio);
            """,
            new Expected("ATS030", 0, "The [ConcurrencyKey] member 'App.Line.Weight' has the type 'float'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"),
            new Expected("ATS030", 1, "The [ConcurrencyKey] member 'App.Line.Ratio' has the type 'double'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"),
            new Expected("ATS030", 2, "The [ConcurrencyKey] member 'App.Line.Letter' has the type 'char'; a concurrency key is a string, an integer type, a Guid or an enum, or a nullable one of these"));
    }

    [Fact]
    public void ATS031_concurrency_key_on_the_payload_of_a_handler_without_a_per_key_limit_is_a_warning()
    {
        var outcome = Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler(MaxConcurrency = 4)] public static void Limited({|#0:Keyed|} payload) { }
                [ScheduledHandler(MaxConcurrencyPerKey = 1)] public static void PerKey(Keyed payload) { }
                [ScheduledHandler] public static void Plain(Unkeyed payload) { }
            }
            """ + Keyed,
            new Expected("ATS031", 0, "The payload type 'App.Keyed' of handler 'App.Jobs.Limited' marks 'App.Keyed.CustomerId' [ConcurrencyKey], but the handler sets no MaxConcurrencyPerKey, so the key is unused; set MaxConcurrencyPerKey on the handler, or remove [ConcurrencyKey]"));

        // A warning leaves the handler valid: it is generated.
        Assert.Contains("ScheduleLimitedAsync", outcome.Sources[Emitter.ScheduleExtensionsHintName], StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_are_suppressed_by_pragmas_around_their_location()
    {
        var outcome = Verify(
            Header + """
            public static class Jobs
            {
            #pragma warning disable ATS031 // the payload is shared with a handler that limits per key
                [ScheduledHandler] public static void Quiet(Keyed payload) { }
            #pragma warning restore ATS031
                [ScheduledHandler] public static void Loud({|#0:Keyed|} payload) { }

                [System.Diagnostics.CodeAnalysis.SuppressMessage("Athomic.Scheduler", "ATS031", Justification = "shared payload")]
                [ScheduledHandler] public static void Attributed(Keyed payload) { }
            }
            """ + Keyed,
            new Expected("ATS031", 0, "The payload type 'App.Keyed' of handler 'App.Jobs.Loud' marks 'App.Keyed.CustomerId' [ConcurrencyKey], but the handler sets no MaxConcurrencyPerKey, so the key is unused; set MaxConcurrencyPerKey on the handler, or remove [ConcurrencyKey]"));

        foreach (var handler in new[] { "'App.Jobs.Quiet'", "'App.Jobs.Attributed'" })
        {
            var suppressed = Assert.Single(outcome.GeneratorDiagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains(handler, StringComparison.Ordinal));
            Assert.True(suppressed.IsSuppressed, handler);
        }
    }

    [Fact]
    public void ATS032_subtype_of_a_payload_union_that_is_not_one_of_its_cases_is_a_warning()
    {
        Verify(
            Header + """
            [Union(0, typeof(Circle))]
            public interface IShape { }

            [MessagePackObject] public sealed class Circle : IShape { [Key(0)] public double R { get; set; } }
            [MessagePackObject] public sealed class {|#0:Square|} : IShape { [Key(0)] public double Side { get; set; } }
            public abstract class Polygon : IShape { }
            public sealed class {|#1:Triangle|} : Polygon { }
            public partial struct {|#2:Dot|} : IShape { }
            public partial struct Dot : IEquatable<Dot> { public bool Equals(Dot other) => true; }
            public abstract class NotAbstractEnough : IShape { }
            public sealed class Generic<T> : IShape { }

            [Union(0, typeof(Cat))]
            public abstract class Animal { }

            [MessagePackObject] public sealed class Cat : Animal { }
            [MessagePackObject] public sealed class {|#3:Dog|} : Animal { }

            // Not reachable from any payload: not checked.
            [Union(0, typeof(Apple))]
            public interface IFruit { }
            [MessagePackObject] public sealed class Apple : IFruit { }
            [MessagePackObject] public sealed class Pear : IFruit { }

            [MessagePackObject]
            public sealed record Zoo([property: Key(0)] Animal[] Animals);

            public static class Jobs
            {
                [ScheduledHandler] public static void Draw(IShape shape) { }
                [ScheduledHandler] public static void Visit(Zoo zoo) { }
            }
            """,
            new Expected("ATS032", 0, Unlisted("App.Square", "implements", "App.IShape", "App.Jobs.Draw")),
            new Expected("ATS032", 1, Unlisted("App.Triangle", "implements", "App.IShape", "App.Jobs.Draw")),
            new Expected("ATS032", 2, Unlisted("App.Dot", "implements", "App.IShape", "App.Jobs.Draw")),
            new Expected("ATS032", 3, Unlisted("App.Dog", "derives from", "App.Animal", "App.Jobs.Visit")));

        static string Unlisted(string type, string verb, string union, string handler) =>
            $"'{type}' {verb} '{union}', a [Union] type in the payload of handler '{handler}', but is not one of its [Union] cases, so a '{type}' is written as nil and its data is lost; add [Union(key, typeof({type}))] to '{union}'";
    }

    [Fact]
    public void ATS033_two_static_recurring_schedules_with_one_id()
    {
        const string Fix = "so one schedule would overwrite the other; give one of them another Id";
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler("reports.daily"), {|#0:Recurring("0 3 * * *")|}] public static void Daily() { }
                [ScheduledHandler, Recurring(Every = "01:00:00", {|#1:Id = "reports.daily"|})] public static void Hourly() { }
                [ScheduledHandler, Recurring(Every = "00:10:00", {|#2:Id = "sync"|})] public static void SyncA() { }
                [ScheduledHandler, Recurring(Every = "00:20:00", {|#3:Id = "sync"|})] public static void SyncB() { }
                [ScheduledHandler, Recurring(Every = "00:30:00", Id = "other")] public static void Other() { }
            }
            """,
            new Expected("ATS033", 0, "The [Recurring] schedule id 'reports.daily' is used by both 'App.Jobs.Daily' and 'App.Jobs.Hourly', " + Fix),
            new Expected("ATS033", 1, "The [Recurring] schedule id 'reports.daily' is used by both 'App.Jobs.Hourly' and 'App.Jobs.Daily', " + Fix),
            new Expected("ATS033", 2, "The [Recurring] schedule id 'sync' is used by both 'App.Jobs.SyncA' and 'App.Jobs.SyncB', " + Fix),
            new Expected("ATS033", 3, "The [Recurring] schedule id 'sync' is used by both 'App.Jobs.SyncB' and 'App.Jobs.SyncA', " + Fix));
    }
}
