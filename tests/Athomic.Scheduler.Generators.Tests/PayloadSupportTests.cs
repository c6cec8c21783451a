using System.Reflection;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>Every type the generator accepts as natively serializable really has a formatter in <see cref="Athomic.Scheduler.Tests.Shared.TestPayloads.Options"/>.</summary>
public sealed class PayloadSupportTests
{
    private static readonly Assembly[] Assemblies = new[]
    {
        "System.Private.CoreLib", "System.Runtime", "System.Collections", "System.ObjectModel", "System.Collections.Concurrent",
        "System.Collections.Immutable", "System.Linq", "System.Runtime.Numerics", "System.Memory",
    }.Select(Assembly.Load).ToArray();

    public static TheoryData<string> NativeTypes() => new(KnownTypes.NativeTypes);

    public static TheoryData<string> NativeGenericTypes() => new(KnownTypes.NativeGenericTypes);

    public static TheoryData<string> NativeByteTypes() => new(KnownTypes.NativeByteTypes);

    [Theory]
    [MemberData(nameof(NativeTypes))]
    public void Native_type_has_a_formatter(string metadataName) => AssertFormatter(Find(metadataName));

    [Theory]
    [MemberData(nameof(NativeGenericTypes))]
    public void Native_generic_type_over_int_has_a_formatter(string metadataName)
    {
        var definition = Find(metadataName);
        AssertFormatter(definition.MakeGenericType(definition.GetGenericArguments().Select(_ => typeof(int)).ToArray()));
    }

    [Theory]
    [MemberData(nameof(NativeByteTypes))]
    public void Native_byte_type_has_a_formatter(string metadataName) => AssertFormatter(Find(metadataName).MakeGenericType(typeof(byte)));

    [Fact]
    public void Unmarked_class_has_no_formatter_as_the_generator_says()
    {
        Assert.Null(MessagePack.FormatterResolverExtensions.GetFormatterDynamic(Athomic.Scheduler.Tests.Shared.TestPayloads.Options.Resolver, typeof(PayloadSupportTests)));
    }

    private static void AssertFormatter(Type type) =>
        Assert.NotNull(MessagePack.FormatterResolverExtensions.GetFormatterDynamic(Athomic.Scheduler.Tests.Shared.TestPayloads.Options.Resolver, type));

    private static Type Find(string metadataName) =>
        Assemblies.Select(a => a.GetType(metadataName)).FirstOrDefault(t => t is not null)
        ?? throw new InvalidOperationException($"Type {metadataName} not found.");
}
