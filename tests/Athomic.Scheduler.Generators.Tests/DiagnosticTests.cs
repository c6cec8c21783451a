using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;
using static Athomic.Scheduler.Generators.Tests.Infrastructure.DiagnosticAssert;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>Every diagnostic, asserted by id, span and message; any other diagnostic fails the test.</summary>
public sealed class DiagnosticTests
{
    private const string Header = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Athomic.Scheduler;
        using Athomic.Scheduler.Execution;
        using MessagePack;

        namespace App;

        """;

    private const string RenameHint = "rename the handler method (an explicit [ScheduledHandler(\"name\")] keeps its handler name stable)";
    private const string NameRule = "a handler name has 1 to 256 characters and no whitespace, control characters, '{', '}' or '*', so pass a valid one to [ScheduledHandler(\"name\")]";
    private const string PayloadHint = "use a type MessagePack handles natively or mark the type [MessagePackObject] with [Key] members";

    [Fact]
    public void ATS001_same_explicit_name_on_two_handlers()
    {
        Verify(
            Header + """
            public static class A { [ScheduledHandler({|#0:"orders.sync"|})] public static void Sync() { } }
            public static class B { [ScheduledHandler({|#1:"orders.sync"|})] public static void Pull() { } }
            """,
            new Expected("ATS001", 0, "The handler name 'orders.sync' is used by both 'App.A.Sync' and 'App.B.Pull'; give one of them another name with [ScheduledHandler(\"name\")]"),
            new Expected("ATS001", 1, "The handler name 'orders.sync' is used by both 'App.B.Pull' and 'App.A.Sync'; give one of them another name with [ScheduledHandler(\"name\")]"));
    }

    [Fact]
    public void ATS001_and_ATS002_overloads_share_the_default_name_and_the_generated_names()
    {
        Verify(
            Header + """
            public static class Jobs
            {
                [ScheduledHandler] public static void {|#0:Run|}(int count) { }
                [ScheduledHandler] public static void {|#1:Run|}(string name) { }
            }
            """,
            new Expected("ATS001", 0, "The handler name 'App.Jobs.Run' is used by both 'App.Jobs.Run' and 'App.Jobs.Run'; give one of them another name with [ScheduledHandler(\"name\")]"),
            new Expected("ATS001", 1, "The handler name 'App.Jobs.Run' is used by both 'App.Jobs.Run' and 'App.Jobs.Run'; give one of them another name with [ScheduledHandler(\"name\")]"),
            new Expected("ATS002", 0, "Handler 'App.Jobs.Run' would generate the method 'ScheduleRunAsync', which is already taken by 'App.Jobs.Run'; " + RenameHint),
            new Expected("ATS002", 1, "Handler 'App.Jobs.Run' would generate the method 'ScheduleRunAsync', which is already taken by 'App.Jobs.Run'; " + RenameHint));
    }

    [Fact]
    public void ATS002_same_method_name_in_two_classes()
    {
        Verify(
            Header + """
            public static class Email { [ScheduledHandler("email.send")] public static void {|#0:Send|}(string to) { } }
            public static class Sms { [ScheduledHandler("sms.send")] public static Task {|#1:SendAsync|}(string to) => Task.CompletedTask; }
            """,
            new Expected("ATS002", 0, "Handler 'App.Email.Send' would generate the method 'ScheduleSendAsync', which is already taken by 'App.Sms.SendAsync'; " + RenameHint),
            new Expected("ATS002", 1, "Handler 'App.Sms.SendAsync' would generate the method 'ScheduleSendAsync', which is already taken by 'App.Email.Send'; " + RenameHint));
    }

    [Fact]
    public void ATS002_delay_method_of_one_handler_is_the_at_method_of_another()
    {
        Verify(
            Header + """
            public static class Reminders
            {
                [ScheduledHandler] public static void {|#0:Remind|}() { }
                [ScheduledHandler] public static void {|#1:RemindAt|}() { }
            }
            """,
            new Expected("ATS002", 0, "Handler 'App.Reminders.Remind' would generate the method 'ScheduleRemindAtAsync', which is already taken by 'App.Reminders.RemindAt'; " + RenameHint),
            new Expected("ATS002", 1, "Handler 'App.Reminders.RemindAt' would generate the method 'ScheduleRemindAtAsync', which is already taken by 'App.Reminders.Remind'; " + RenameHint));
    }

    [Fact]
    public void ATS002_generated_name_of_an_IScheduler_method()
    {
        Verify(
            Header + """
            public static class Batch
            {
                [ScheduledHandler] public static void {|#0:Many|}(int count) { }
                [ScheduledHandler] public static void {|#1:At|}() { }
            }
            """,
            new Expected("ATS002", 0, "Handler 'App.Batch.Many' would generate the method 'ScheduleManyAsync', which is already taken by IScheduler.ScheduleManyAsync; " + RenameHint),
            new Expected("ATS002", 1, "Handler 'App.Batch.At' would generate the method 'ScheduleAtAsync', which is already taken by IScheduler.ScheduleAtAsync; " + RenameHint));
    }

    [Fact]
    public void ATS003_invalid_explicit_names()
    {
        Verify(
            Header + """
            public static class Names
            {
                [ScheduledHandler({|#0:""|})] public static void Empty() { }
                [ScheduledHandler({|#1:"two words"|})] public static void Space() { }
                [ScheduledHandler({|#2:"{tag}"|})] public static void Brace() { }
                [ScheduledHandler(name: {|#3:"a*"|})] public static void Star() { }
                [ScheduledHandler({|#4:"tab\there"|})] public static void Control() { }
            }
            """,
            new Expected("ATS003", 0, "The handler name '' of 'App.Names.Empty' is invalid: it is empty; " + NameRule),
            new Expected("ATS003", 1, "The handler name 'two words' of 'App.Names.Space' is invalid: it contains U+0020 at index 3; " + NameRule),
            new Expected("ATS003", 2, "The handler name '{tag}' of 'App.Names.Brace' is invalid: it contains U+007B at index 0; " + NameRule),
            new Expected("ATS003", 3, "The handler name 'a*' of 'App.Names.Star' is invalid: it contains U+002A at index 1; " + NameRule),
            new Expected("ATS003", 4, "The handler name 'tab\there' of 'App.Names.Control' is invalid: it contains U+0009 at index 3; " + NameRule));
    }

    [Fact]
    public void ATS003_default_name_too_long()
    {
        var type = new string('T', 250);
        Verify(
            Header + $$"""
            public static class {{type}} { [ScheduledHandler] public static void {|#0:Run|}() { } }
            """,
            new Expected("ATS003", 0, $"The handler name 'App.{type}.Run' of 'App.{type}.Run' is invalid: it has 258 characters, more than 256; " + NameRule));
    }

    [Fact]
    public void ATS004_two_payloads_two_tokens_two_contexts()
    {
        Verify(
            Header + """
            public static class Many
            {
                [ScheduledHandler] public static void Payloads(int a, {|#0:string b|}) { }
                [ScheduledHandler] public static void Tokens(CancellationToken first, {|#1:CancellationToken second|}) { }
                [ScheduledHandler] public static void Contexts(TaskContext one, int payload, {|#2:TaskContext two|}) { }
            }
            """,
            new Expected("ATS004", 0, "Handler 'App.Many.Payloads' has two payload parameters, 'a' and 'b'; a handler takes at most one payload, one CancellationToken and one TaskContext, so wrap several values in one [MessagePackObject] type"),
            new Expected("ATS004", 1, "Handler 'App.Many.Tokens' has two CancellationToken parameters, 'first' and 'second'; a handler takes at most one payload, one CancellationToken and one TaskContext, so wrap several values in one [MessagePackObject] type"),
            new Expected("ATS004", 2, "Handler 'App.Many.Contexts' has two TaskContext parameters, 'one' and 'two'; a handler takes at most one payload, one CancellationToken and one TaskContext, so wrap several values in one [MessagePackObject] type"));
    }

    [Fact]
    public void ATS005_ref_out_in_parameters()
    {
        Verify(
            Header + """
            public static class ByRef
            {
                [ScheduledHandler] public static void Ref({|#0:ref int value|}) { }
                [ScheduledHandler] public static void Out({|#1:out int value|}) { value = 0; }
                [ScheduledHandler] public static void In({|#2:in int value|}) { }
                [ScheduledHandler] public static void RefReadonly({|#3:ref readonly int value|}) { }
            }
            """,
            new Expected("ATS005", 0, "Parameter 'value' of handler 'App.ByRef.Ref' is passed by reference (ref); remove the modifier, handler parameters are passed by value"),
            new Expected("ATS005", 1, "Parameter 'value' of handler 'App.ByRef.Out' is passed by reference (out); remove the modifier, handler parameters are passed by value"),
            new Expected("ATS005", 2, "Parameter 'value' of handler 'App.ByRef.In' is passed by reference (in); remove the modifier, handler parameters are passed by value"),
            new Expected("ATS005", 3, "Parameter 'value' of handler 'App.ByRef.RefReadonly' is passed by reference (ref readonly); remove the modifier, handler parameters are passed by value"));
    }

    [Fact]
    public void ATS006_pointer_parameters()
    {
        Verify(
            Header + """
            public static unsafe class Pointers
            {
                [ScheduledHandler] public static void Raw({|#0:byte* data|}) { }
                [ScheduledHandler] public static void Function({|#1:delegate*<void> callback|}) { }
            }
            """,
            new Expected("ATS006", 0, "Parameter 'data' of handler 'App.Pointers.Raw' has the pointer type 'byte*', which cannot be scheduled; use a [MessagePackObject] payload instead"),
            new Expected("ATS006", 1, "Parameter 'callback' of handler 'App.Pointers.Function' has the pointer type 'delegate*<void>', which cannot be scheduled; use a [MessagePackObject] payload instead"));
    }

    [Fact]
    public void ATS007_generic_method()
    {
        Verify(
            Header + """
            public static class Generic { [ScheduledHandler] public static void {|#0:Run|}<T>(T payload) { } }
            """,
            new Expected("ATS007", 0, "Handler 'App.Generic.Run' is generic; a handler cannot have type parameters, so declare one non-generic handler per payload type"));
    }

    [Fact]
    public void ATS008_open_generic_containing_type()
    {
        Verify(
            Header + """
            public class Outer<T>
            {
                public static class Inner { [ScheduledHandler] public static void {|#0:Run|}(int value) { } }
            }
            """,
            new Expected("ATS008", 0, "Handler 'App.Outer.Inner.Run' is declared in the generic type 'App.Outer<T>'; move it to a non-generic type"));
    }

    [Fact]
    public void ATS009_private_protected_and_nested_in_private_or_file_local_types()
    {
        Verify(
            Header + """
            public class Visibility
            {
                [ScheduledHandler] private static void {|#0:Private|}() { }
                [ScheduledHandler] protected static void {|#1:Protected|}() { }
                [ScheduledHandler] private protected static void {|#2:PrivateProtected|}() { }
                [ScheduledHandler] protected internal static void ProtectedInternalIsFine() { }
                private static class Hidden { [ScheduledHandler] public static void {|#3:Run|}() { } }
            }

            file static class Local { [ScheduledHandler] public static void {|#4:Go|}() { } }
            """,
            new Expected("ATS009", 0, "Handler 'App.Visibility.Private' cannot be called from generated code because 'Private' is private; make 'Private' public or internal"),
            new Expected("ATS009", 1, "Handler 'App.Visibility.Protected' cannot be called from generated code because 'Protected' is protected; make 'Protected' public or internal"),
            new Expected("ATS009", 2, "Handler 'App.Visibility.PrivateProtected' cannot be called from generated code because 'PrivateProtected' is private protected; make 'PrivateProtected' public or internal"),
            new Expected("ATS009", 3, "Handler 'App.Visibility.Hidden.Run' cannot be called from generated code because 'App.Visibility.Hidden' is private; make 'App.Visibility.Hidden' public or internal"),
            new Expected("ATS009", 4, "Handler 'App.Local.Go' cannot be called from generated code because 'App.Local' is file-local; make 'App.Local' public or internal"));
    }

    [Fact]
    public void ATS010_async_void()
    {
        Verify(
            Header + """
            public static class Fire { [ScheduledHandler] public static async void {|#0:Forget|}() => await Task.Yield(); }
            """,
            new Expected("ATS010", 0, "Handler 'App.Fire.Forget' is async void, so the scheduler cannot await it or see its exceptions; return Task or ValueTask instead"));
    }

    [Fact]
    public void ATS011_other_return_types()
    {
        Verify(
            Header + """
            public static class Returns
            {
                [ScheduledHandler] public static int {|#0:Count|}() => 1;
                [ScheduledHandler] public static Task<int> {|#1:CountAsync|}() => Task.FromResult(1);
                [ScheduledHandler] public static ValueTask<bool> {|#2:Check|}() => default;
            }
            """,
            new Expected("ATS011", 0, "Handler 'App.Returns.Count' returns 'int'; return Task, ValueTask or void"),
            new Expected("ATS011", 1, "Handler 'App.Returns.CountAsync' returns 'System.Threading.Tasks.Task<int>'; return Task, ValueTask or void"),
            new Expected("ATS011", 2, "Handler 'App.Returns.Check' returns 'System.Threading.Tasks.ValueTask<bool>'; return Task, ValueTask or void"));
    }

    [Fact]
    public void ATS012_payloads_MessagePack_cannot_serialize()
    {
        Verify(
            Header + """
            public sealed class Plain { public int X { get; set; } }

            [MessagePackObject]
            public sealed class Envelope
            {
                [Key(0)] public int Id { get; set; }
                [Key(1)] public Plain? Inner { get; set; }
                [IgnoreMember] public object? Ignored { get; set; }
            }

            public static class Payloads
            {
                [ScheduledHandler] public static void Object({|#0:object|} value) { }
                [ScheduledHandler] public static void Unmarked({|#1:Plain|} value) { }
                [ScheduledHandler] public static void InList({|#2:List<Plain>|} value) { }
                [ScheduledHandler] public static void InDictionary({|#3:Dictionary<string, object>|} value) { }
                [ScheduledHandler] public static void Member({|#4:Envelope|} value) { }
                [ScheduledHandler] public static void Rank5({|#5:int[,,,,]|} value) { }
                [ScheduledHandler] public static void Nullable({|#6:Plain?|} value) { }
                [ScheduledHandler] public static void Type({|#7:System.Type|} value) { }
            }
            """,
            new Expected("ATS012", 0, "The payload type 'object' of handler 'App.Payloads.Object' cannot be serialized by MessagePack: 'object' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint),
            new Expected("ATS012", 1, "The payload type 'App.Plain' of handler 'App.Payloads.Unmarked' cannot be serialized by MessagePack: 'App.Plain' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint),
            new Expected("ATS012", 2, "The payload type 'System.Collections.Generic.List<App.Plain>' of handler 'App.Payloads.InList' cannot be serialized by MessagePack: 'App.Plain' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint),
            new Expected("ATS012", 3, "The payload type 'System.Collections.Generic.Dictionary<string, object>' of handler 'App.Payloads.InDictionary' cannot be serialized by MessagePack: 'object' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint),
            new Expected("ATS012", 4, "The payload type 'App.Envelope' of handler 'App.Payloads.Member' cannot be serialized by MessagePack: member 'Envelope.Inner': 'App.Plain?' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint),
            new Expected("ATS012", 5, "The payload type 'int[*,*,*,*,*]' of handler 'App.Payloads.Rank5' cannot be serialized by MessagePack: arrays of rank 5 are not supported (at most 4); " + PayloadHint),
            new Expected("ATS012", 6, "The payload type 'App.Plain?' of handler 'App.Payloads.Nullable' cannot be serialized by MessagePack: 'App.Plain?' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint),
            new Expected("ATS012", 7, "The payload type 'System.Type' of handler 'App.Payloads.Type' cannot be serialized by MessagePack: 'System.Type' is neither a type MessagePack handles natively nor marked [MessagePackObject]; " + PayloadHint));
    }

    [Fact]
    public void ATS013_abstract_and_interface_methods()
    {
        Verify(
            Header + """
            public abstract class Base { [ScheduledHandler] public abstract Task {|#0:Run|}(); }
            public interface IJobs
            {
                [ScheduledHandler] Task {|#1:Work|}();
                [ScheduledHandler] void {|#2:Default|}() { }
            }
            """,
            new Expected("ATS013", 0, "Handler 'App.Base.Run' is abstract and has no body to run; put [ScheduledHandler] on a method with a body in a class"),
            new Expected("ATS013", 1, "Handler 'App.IJobs.Work' is an interface method and has no body to run; put [ScheduledHandler] on a method with a body in a class"),
            new Expected("ATS013", 2, "Handler 'App.IJobs.Default' is an interface method and has no body to run; put [ScheduledHandler] on a method with a body in a class"));
    }

    [Fact]
    public void ATS014_instance_method_in_a_static_class_next_to_the_compiler_error()
    {
        // C# already rejects this (CS0708); the generator adds what to do and generates nothing that would fail further.
        Verify(
            Header + """
            public static class Static { [ScheduledHandler] public void {|#0:Run|}() { } }
            """,
            new Expected("CS0708", 0, "'Run': cannot declare instance members in a static class"),
            new Expected("ATS014", 0, "Handler 'App.Static.Run' is an instance method of the static class 'App.Static', which cannot be created; make the method static"));
    }

    [Fact]
    public void ATS015_instance_method_in_a_struct_or_an_abstract_class()
    {
        Verify(
            Header + """
            public struct Counter { [ScheduledHandler] public void {|#0:Tick|}() { } }
            public abstract class Template { [ScheduledHandler] public Task {|#1:Render|}() => Task.CompletedTask; }
            """,
            new Expected("ATS015", 0, "Handler 'App.Counter.Tick' is an instance method of 'App.Counter', a struct that dependency injection cannot create; make the method static or move it to a non-abstract class"),
            new Expected("ATS015", 1, "Handler 'App.Template.Render' is an instance method of 'App.Template', an abstract class that dependency injection cannot create; make the method static or move it to a non-abstract class"));
    }

    [Fact]
    public void ATS016_negative_max_attempts()
    {
        Verify(
            Header + """
            public static class Retries { [ScheduledHandler("retries.never", {|#0:MaxAttempts = -1|})] public static void Run() { } }
            """,
            new Expected("ATS016", 0, "MaxAttempts of handler 'App.Retries.Run' is -1; use 0 for the global default or a positive number of attempts"));
    }

    [Fact]
    public void ATS017_local_functions_operators_accessors_and_lambdas()
    {
        Verify(
            Header + """
            public sealed class Odd
            {
                public static void Outer()
                {
                    [ScheduledHandler] static void {|#0:Local|}() { }
                    Local();
                }

                [ScheduledHandler] public static Odd operator {|#1:+|}(Odd a, Odd b) => a;

                public int Value { [ScheduledHandler] {|#2:get|} => 1; }

                public static Action Lambda = {|#3:[ScheduledHandler] () => { }|};
            }
            """,
            new Expected("ATS017", 0, "'App.Odd.Local' is a local function; put [ScheduledHandler] on an ordinary named method of a class"),
            new Expected("ATS017", 1, "'App.Odd.op_Addition' is an operator; put [ScheduledHandler] on an ordinary named method of a class"),
            new Expected("ATS017", 2, "'App.Odd.get_Value' is a property accessor; put [ScheduledHandler] on an ordinary named method of a class"),
            new Expected("ATS017", 3, "'App.Odd.<lambda>' is a lambda; put [ScheduledHandler] on an ordinary named method of a class"));
    }

    [Fact]
    public void Valid_handlers_next_to_invalid_ones_are_still_generated()
    {
        var outcome = Verify(
            Header + """
            public static class Mixed
            {
                [ScheduledHandler] public static void Good(int value) { }
                [ScheduledHandler] private static void {|#0:Bad|}() { }
            }
            """,
            new Expected("ATS009", 0, "Handler 'App.Mixed.Bad' cannot be called from generated code because 'Bad' is private; make 'Bad' public or internal"));
        var extensions = outcome.Sources[Emitter.ScheduleExtensionsHintName];
        Assert.Contains("ScheduleGoodAsync", extensions, StringComparison.Ordinal);
        Assert.DoesNotContain("ScheduleBadAsync", extensions, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_descriptor_has_a_tracked_id_and_only_the_two_hazard_notices_are_warnings()
    {
        var unshipped = File.ReadAllText(Path.Combine(Baselines.Root, "..", "..", "..", "generators", "Athomic.Scheduler.Generators", "AnalyzerReleases.Unshipped.md"));
        string[] warnings = ["ATS031", "ATS032"];
        foreach (var descriptor in DiagnosticDescriptors.All.Values)
        {
            var severity = warnings.Contains(descriptor.Id) ? Microsoft.CodeAnalysis.DiagnosticSeverity.Warning : Microsoft.CodeAnalysis.DiagnosticSeverity.Error;
            Assert.Equal(severity, descriptor.DefaultSeverity);
            Assert.Contains($"{descriptor.Id} | Athomic.Scheduler | {severity} | {descriptor.Title}", unshipped, StringComparison.Ordinal);
        }

        Assert.Equal(33, DiagnosticDescriptors.All.Count);
        Assert.Equal(Enumerable.Range(1, 33).Select(i => $"ATS{i:000}"), DiagnosticDescriptors.All.Keys.Order(StringComparer.Ordinal));
    }
}
