using MessagePack;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// The rules ATS024 reports at build time are the ones MessagePack's dynamic object resolver enforces at run time:
/// each type below (the same shapes as in <see cref="FormatterDiagnosticTests"/>) fails its first serialization
/// under the standard resolver, and the constructor fallback the generator accepts works there too.
/// </summary>
public sealed class MessagePackRuntimeRuleTests
{
    [Theory]
    [InlineData(typeof(NoKey))]
    [InlineData(typeof(Mixed))]
    [InlineData(typeof(Twice))]
    [InlineData(typeof(WrongOrder))]
    [InlineData(typeof(Unmatched))]
    [InlineData(typeof(NoPublic))]
    [InlineData(typeof(TwoMarked))]
    public void The_standard_resolver_rejects_at_run_time_what_ATS024_rejects_at_build_time(Type type)
    {
        var error = FormatterFailure(type);

        // The resolver's own exception type is internal; two [SerializationConstructor]s fail its SingleOrDefault.
        Assert.True(
            error.GetType().Name == "MessagePackDynamicObjectResolverException" || (type == typeof(TwoMarked) && error is InvalidOperationException),
            error.ToString());
    }

    [Theory]
    [InlineData(typeof(UnionOnClass))] // ATS012: the union resolver takes only interfaces and abstract classes
    [InlineData(typeof(IUnionKeyTwice))]
    [InlineData(typeof(IUnionCaseTwice))]
    public void The_standard_resolver_rejects_at_run_time_the_unions_ATS024_rejects_at_build_time(Type type)
    {
        var error = FormatterFailure(type);

        // The union resolver's own exception (internal), or the ArgumentException of its maps of keys and types.
        Assert.True(error.GetType().Name is "MessagePackDynamicUnionResolverException" or "ArgumentException", error.ToString());
    }

    [Fact]
    public void A_union_case_that_is_not_a_subtype_comes_back_as_an_object_that_is_not_the_union_type()
    {
        var bytes = MessagePackSerializer.Serialize(new object[] { 1, new Stranger { Id = 3 } }, MessagePackSerializerOptions.Standard);

        object? value = MessagePackSerializer.Deserialize<IUnionOfStranger>(bytes, MessagePackSerializerOptions.Standard);

        // The emitted IL stores it without a cast; C# cannot, so the generator leaves such a union to the opt-out (ATS023).
        Assert.IsType<Stranger>(value);
        Assert.False(value is IUnionOfStranger);
    }

    [Fact]
    public void The_standard_resolver_falls_back_to_the_next_constructor_as_the_generator_does()
    {
        var bytes = MessagePackSerializer.Serialize(new Fallback(7) { Note = "n" }, MessagePackSerializerOptions.Standard);
        var back = MessagePackSerializer.Deserialize<Fallback>(bytes, MessagePackSerializerOptions.Standard);
        Assert.Equal((7, "n"), (back.Id, back.Note));
    }

    /// <summary>Why the standard resolver cannot build a formatter for <paramref name="type"/>, unwrapped from reflection's wrappers.</summary>
    private static Exception FormatterFailure(Type type)
    {
        var error = Assert.ThrowsAny<Exception>(() => MessagePack.FormatterResolverExtensions.GetFormatterDynamic(MessagePackSerializerOptions.Standard.Resolver, type));
        while (error is TypeInitializationException or System.Reflection.TargetInvocationException && error.InnerException is not null)
        {
            error = error.InnerException;
        }

        return error;
    }

    [Union(0, typeof(UnionCase))]
    public class UnionOnClass
    {
    }

    [Union(0, typeof(UnionCase))]
    [Union(0, typeof(OtherUnionCase))]
    public interface IUnionKeyTwice
    {
    }

    [Union(0, typeof(UnionCase))]
    [Union(1, typeof(UnionCase))]
    public interface IUnionCaseTwice
    {
    }

    [Union(0, typeof(UnionCase))]
    [Union(1, typeof(Stranger))]
    public interface IUnionOfStranger
    {
    }

    [MessagePackObject]
    public sealed class UnionCase : UnionOnClass, IUnionKeyTwice, IUnionCaseTwice, IUnionOfStranger
    {
        [Key(0)] public int Id { get; set; }
    }

    [MessagePackObject]
    public sealed class OtherUnionCase : IUnionKeyTwice
    {
        [Key(0)] public int Id { get; set; }
    }

    [MessagePackObject]
    public sealed class Stranger
    {
        [Key(0)] public int Id { get; set; }
    }

    [MessagePackObject]
    public sealed class NoKey
    {
        [Key(0)] public int Id { get; set; }

        public string Name { get; set; } = "";
    }

    [MessagePackObject]
    public sealed class Mixed
    {
        [Key(0)] public int Id { get; set; }

        [Key("name")] public string Name { get; set; } = "";
    }

    [MessagePackObject]
    public sealed class Twice
    {
        [Key(0)] public int Id { get; set; }

        [Key(0)] public int Other { get; set; }
    }

    [MessagePackObject]
    public sealed class WrongOrder
    {
        public WrongOrder(int id, int count) => Id = id + count;

        [Key(0)] public int Id { get; }

        [Key(1)] public string Name { get; set; } = "";
    }

    [MessagePackObject]
    public sealed class Unmatched
    {
        public Unmatched(string title) => Name = title;

        [Key("name")] public string Name { get; set; }
    }

    [MessagePackObject]
    public sealed class NoPublic
    {
        private NoPublic()
        {
        }

        [Key(0)] public int Id { get; set; }
    }

    [MessagePackObject]
    public sealed class TwoMarked
    {
        [SerializationConstructor]
        public TwoMarked(int id) => Id = id;

        [SerializationConstructor]
        public TwoMarked(int id, int other) => Id = id + other;

        [Key(0)] public int Id { get; }
    }

    [MessagePackObject]
    public sealed class Fallback
    {
        public Fallback(int id, DateTime at) => Id = at.Year + id;

        public Fallback(int id) => Id = id;

        [Key(0)] public int Id { get; }

        [Key(1)] public string Note { get; set; } = "";
    }
}
