using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Athomic.Scheduler.Serialization;
using Xunit;
using static Athomic.Scheduler.Generators.Tests.Infrastructure.DiagnosticAssert;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// ATS023 (no generated formatter, unless the assembly opts out) and ATS024 (rules MessagePack's dynamic object
/// resolver enforces only at run time, now build errors that name the member and the fix).
/// </summary>
public sealed class FormatterDiagnosticTests
{
    private const string Header = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Runtime.Serialization;
        using Athomic.Scheduler;
        using MessagePack;

        namespace App;

        """;

    private const string Unformattable = """
        [Union(0, "App.Circle, App")]
        public interface IShape { }

        [MessagePackObject]
        public sealed class Circle : IShape { [Key(0)] public double R { get; set; } }

        [MessagePackObject]
        public sealed record Batch([property: Key(0)] string Name, [property: Key(1)] ImmutableArray<Guid> Ids);

        [DataContract]
        public sealed class Legacy { [DataMember(Order = 0)] public int Id { get; set; } }

        public static class Payloads
        {
            [ScheduledHandler] public static void OnShape({|#0:IShape|} shape) { }
            [ScheduledHandler] public static void OnBatch({|#1:Batch|} batch) { }
            [ScheduledHandler] public static void OnPair({|#2:(string Name, int Count)|} pair) { }
            [ScheduledHandler] public static void OnLegacy({|#3:Legacy|} legacy) { }
            [ScheduledHandler] public static void OnGrid({|#4:int[,]|} grid) { }
        }
        """;

    private const string Fix = "use types the generator formats (see the README section \"Native AOT\"), or add [assembly: Athomic.Scheduler.DynamicPayloadFormatters] to let MessagePack's dynamic resolver handle them (not compatible with Native AOT or trimming)";

    private const string ConstructorFix = "add a constructor whose parameters match the keyed members (integer keys: in key order; string keys: by name), a parameterless one, or mark one [SerializationConstructor]";

    [Fact]
    public void ATS023_payload_parts_without_a_generated_formatter()
    {
        Verify(
            Header + Unformattable,
            new Expected("ATS023", 0, "The payload type 'App.IShape' of handler 'App.Payloads.OnShape' has no generated MessagePack formatter: the payload: [Union] cases named by a string have no generated formatter; " + Fix),
            new Expected("ATS023", 1, "The payload type 'App.Batch' of handler 'App.Payloads.OnBatch' has no generated MessagePack formatter: member 'App.Batch.Ids': 'System.Collections.Immutable.ImmutableArray<T>' have no generated formatter; " + Fix),
            new Expected("ATS023", 2, "The payload type '(string Name, int Count)' of handler 'App.Payloads.OnPair' has no generated MessagePack formatter: the payload: '(T1, T2)' have no generated formatter; " + Fix),
            new Expected("ATS023", 3, "The payload type 'App.Legacy' of handler 'App.Payloads.OnLegacy' has no generated MessagePack formatter: the payload: [DataContract] types have no generated formatter; " + Fix),
            new Expected("ATS023", 4, "The payload type 'int[*,*]' of handler 'App.Payloads.OnGrid' has no generated MessagePack formatter: the payload: multi-dimensional arrays have no generated formatter; " + Fix));
    }

    [Fact]
    public void The_opt_out_turns_ATS023_off_and_the_generated_code_compiles()
    {
        var header = Header.Replace("namespace App;", "[assembly: DynamicPayloadFormatters]\n\nnamespace App;", StringComparison.Ordinal);
        var outcome = Verify(header + Unformattable);
        var formatters = outcome.Sources["Athomic.Scheduler.PayloadFormatters.g.cs"];
        Assert.Contains("ScheduledPayload.CreateDynamicOptions(Instance)", formatters, StringComparison.Ordinal);
        Assert.Contains("GetFormatterWithVerify<global::System.Collections.Immutable.ImmutableArray<global::System.Guid>>(options.Resolver)", formatters, StringComparison.Ordinal);
    }

    [Fact]
    public void ATS024_member_rules_of_MessagePackObject_types()
    {
        Verify(
            Header + """
            [MessagePackObject]
            public sealed class NoKey { [Key(0)] public int Id { get; set; } public string Name { get; set; } = ""; }

            [MessagePackObject]
            public sealed class Mixed { [Key(0)] public int Id { get; set; } [Key("name")] public string Name { get; set; } = ""; }

            [MessagePackObject]
            public sealed class Twice { [Key(0)] public int Id { get; set; } [Key(0)] public int Other { get; set; } }

            [MessagePackObject]
            public sealed class Negative { [Key(-1)] public int Id { get; set; } }

            [MessagePackObject]
            public sealed class NullKey { [Key(null!)] public int Id { get; set; } }

            public static class Payloads
            {
                [ScheduledHandler] public static void OnNoKey({|#0:NoKey|} value) { }
                [ScheduledHandler] public static void OnMixed({|#1:Mixed|} value) { }
                [ScheduledHandler] public static void OnTwice({|#2:Twice|} value) { }
                [ScheduledHandler] public static void OnNegative({|#3:Negative|} value) { }
                [ScheduledHandler] public static void OnNullKey({|#4:NullKey|} value) { }
            }
            """,
            new Expected("ATS024", 0, "The payload type 'App.NoKey' of handler 'App.Payloads.OnNoKey' would fail to serialize at run time: 'App.NoKey.Name' has no [Key]; add [Key(n)] (or [Key(\"name\")]), or [IgnoreMember] to leave it out"),
            new Expected("ATS024", 1, "The payload type 'App.Mixed' of handler 'App.Payloads.OnMixed' would fail to serialize at run time: 'App.Mixed.Name' has a string key while 'Id' has an integer key; use one kind of key for every member of the type"),
            new Expected("ATS024", 2, "The payload type 'App.Twice' of handler 'App.Payloads.OnTwice' would fail to serialize at run time: 'App.Twice.Other' has the key 0, already used by 'Id'; give every member its own key"),
            new Expected("ATS024", 3, "The payload type 'App.Negative' of handler 'App.Payloads.OnNegative' would fail to serialize at run time: 'App.Negative.Id' has the negative key -1; integer keys are array indexes, so use 0 or more"),
            new Expected("ATS024", 4, "The payload type 'App.NullKey' of handler 'App.Payloads.OnNullKey' would fail to serialize at run time: 'App.NullKey.Id' has [Key(null)]; give it an integer or a non-null string key"));
    }

    [Fact]
    public void ATS024_and_ATS023_rules_of_Union_types()
    {
        Verify(
            Header + """
            [MessagePackObject]
            public sealed class Circle : IKeyTwice, ICaseTwice, IWithStranger { [Key(0)] public double R { get; set; } }

            [MessagePackObject]
            public sealed class Square : IKeyTwice { [Key(0)] public double Side { get; set; } }

            [MessagePackObject]
            public sealed class Stranger { [Key(0)] public int Id { get; set; } }

            [Union(0, typeof(Circle))]
            [Union(0, typeof(Square))]
            public interface IKeyTwice { }

            [Union(0, typeof(Circle))]
            [Union(1, typeof(Circle))]
            public interface ICaseTwice { }

            [Union(0, typeof(Circle))]
            [Union(1, typeof(Stranger))]
            public interface IWithStranger { }

            public static class Payloads
            {
                [ScheduledHandler] public static void OnKeyTwice({|#0:IKeyTwice|} value) { }
                [ScheduledHandler] public static void OnCaseTwice({|#1:ICaseTwice|} value) { }
                [ScheduledHandler] public static void OnStranger({|#2:IWithStranger|} value) { }
            }
            """,
            new Expected("ATS024", 0, "The payload type 'App.IKeyTwice' of handler 'App.Payloads.OnKeyTwice' would fail to serialize at run time: 'App.IKeyTwice' has the [Union] key 0 twice; give every case its own key"),
            new Expected("ATS024", 1, "The payload type 'App.ICaseTwice' of handler 'App.Payloads.OnCaseTwice' would fail to serialize at run time: 'App.ICaseTwice' lists the [Union] case 'App.Circle' twice; list every case once"),
            new Expected("ATS023", 2, "The payload type 'App.IWithStranger' of handler 'App.Payloads.OnStranger' has no generated MessagePack formatter: the payload: the [Union] case 'App.Stranger' (key 1) does not implement 'App.IWithStranger', so no formatter can return it as one; " + Fix));
    }

    [Fact]
    public void ATS024_constructor_rules_of_MessagePackObject_types()
    {
        Verify(
            Header + """
            // Integer keys: parameter i takes the member with the i-th smallest key; here the 2nd is a string, not an int.
            [MessagePackObject]
            public sealed class WrongOrder
            {
                public WrongOrder(int id, int count) { Id = id; }
                [Key(0)] public int Id { get; }
                [Key(1)] public string Name { get; set; } = "";
            }

            [MessagePackObject]
            public sealed class Unmatched
            {
                public Unmatched(string title) { }
                [Key("name")] public string Name { get; set; } = "";
            }

            [MessagePackObject]
            public sealed class NoPublic
            {
                private NoPublic() { }
                [Key(0)] public int Id { get; set; }
            }

            [MessagePackObject]
            public sealed class TwoMarked
            {
                [SerializationConstructor] public TwoMarked(int id) { Id = id; }
                [SerializationConstructor] public TwoMarked(int id, int other) { Id = id; }
                [Key(0)] public int Id { get; }
            }

            // Fine: the 2-parameter constructor does not match, so the dynamic resolver (and the generator) takes the next.
            [MessagePackObject]
            public sealed class Fallback
            {
                public Fallback(int id, DateTime at) { Id = id; }
                public Fallback(int id) { Id = id; }
                [Key(0)] public int Id { get; }
                [Key(1)] public string Note { get; set; } = "";
            }

            public static class Payloads
            {
                [ScheduledHandler] public static void OnWrongOrder({|#0:WrongOrder|} value) { }
                [ScheduledHandler] public static void OnUnmatched({|#1:Unmatched|} value) { }
                [ScheduledHandler] public static void OnNoPublic({|#2:NoPublic|} value) { }
                [ScheduledHandler] public static void OnTwoMarked({|#3:TwoMarked|} value) { }
                [ScheduledHandler] public static void OnFallback(Fallback value) { }
            }
            """,
            new Expected("ATS024", 0, "The payload type 'App.WrongOrder' of handler 'App.Payloads.OnWrongOrder' would fail to serialize at run time: 'App.WrongOrder' has no constructor MessagePack can call: parameter 'count' has the type 'int' but its member 'Name' is 'string'; " + ConstructorFix),
            new Expected("ATS024", 1, "The payload type 'App.Unmatched' of handler 'App.Payloads.OnUnmatched' would fail to serialize at run time: 'App.Unmatched' has no constructor MessagePack can call: parameter 'title' matches no member by key or name; " + ConstructorFix),
            new Expected("ATS024", 2, "The payload type 'App.NoPublic' of handler 'App.Payloads.OnNoPublic' would fail to serialize at run time: 'App.NoPublic' has no public constructor; add one, or mark one [SerializationConstructor]"),
            new Expected("ATS024", 3, "The payload type 'App.TwoMarked' of handler 'App.Payloads.OnTwoMarked' would fail to serialize at run time: 'App.TwoMarked' has 2 constructors marked [SerializationConstructor]; mark one"));
    }
}
