using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// A payload member added or removed between the code that scheduled a task and the code that runs it. Each case writes
/// with one side and reads with the other, in both directions: the dynamic resolver (the code deployed before generated
/// formatters) writing for the generated formatter (the new code), and the generated formatter writing for the dynamic
/// resolver (a task scheduled by the new code, run by an old instance during a rolling deployment). Every decoding is
/// also checked against the dynamic resolver's decoding of the same bytes.
/// </summary>
public sealed class PayloadEvolutionTests
{
    // Integer keys.

    [Fact]
    public void Int_keys_added_constructor_parameter_defaults_when_absent()
    {
        var v2 = OldToNew<OrderV1, OrderV2Ctor>(new OrderV1(7, "sku-7"));
        Assert.Equal(new OrderV2Ctor(7, "sku-7", 0), v2);

        var v1 = NewToOld<OrderV2Ctor, OrderV1>(new OrderV2Ctor(8, "sku-8", 3));
        Assert.Equal(new OrderV1(8, "sku-8"), v1);
    }

    [Fact]
    public void Int_keys_added_properties_keep_their_initializers_when_absent()
    {
        var v2 = OldToNew<OrderV1, OrderV2Prop>(new OrderV1(7, "sku-7"));
        Assert.Equal((7, "sku-7", 1, "EUR"), (v2.Id, v2.Sku, v2.Quantity, v2.Currency));

        var present = OldToNew<OrderV2Prop, OrderV2Prop>(new OrderV2Prop(7, "sku-7") { Quantity = 0, Currency = "USD" });
        Assert.Equal((0, "USD"), (present.Quantity, present.Currency));

        var v1 = NewToOld<OrderV2Prop, OrderV1>(new OrderV2Prop(9, null) { Quantity = 5, Currency = "CHF" });
        Assert.Equal(new OrderV1(9, null), v1);
    }

    [Fact]
    public void Int_keys_added_property_of_a_mutable_class_keeps_its_initializer_when_absent()
    {
        var v2 = OldToNew<OrderV1, OrderV2Mutable>(new OrderV1(7, "sku-7"));
        Assert.Equal((7, "sku-7", 1), (v2.Id, v2.Sku, v2.Quantity));

        var v1 = NewToOld<OrderV2Mutable, OrderV1>(new OrderV2Mutable { Id = 4, Sku = "x", Quantity = 0 });
        Assert.Equal(new OrderV1(4, "x"), v1);
    }

    [Fact]
    public void Int_keys_removed_last_key_is_skipped()
    {
        var v2 = OldToNew<OrderV1, OrderV2Shorter>(new OrderV1(7, "a long sku that has to be skipped over"));
        Assert.Equal(new OrderV2Shorter(7), v2);

        var v1 = NewToOld<OrderV2Shorter, OrderV1>(new OrderV2Shorter(3));
        Assert.Equal(new OrderV1(3, null), v1);
    }

    [Fact]
    public void Int_keys_removed_middle_key_leaves_a_nil_gap()
    {
        var v3 = OldToNew<OrderV2Prop, OrderV3Gap>(new OrderV2Prop(7, "gone") { Quantity = 4, Currency = "USD" });
        Assert.Equal((7, 4), (v3.Id, v3.Quantity));

        var written = Wire.GeneratedBytes(new OrderV3Gap(5) { Quantity = 6 });
        Assert.Equal(Wire.DynamicBytes(new OrderV3Gap(5) { Quantity = 6 }), written);
        var v2 = Wire.ReadDynamic<OrderV2Prop>(written);
        Assert.Equal((5, null, 6, "EUR"), (v2.Id, v2.Sku, v2.Quantity, v2.Currency));
        Assert.Equal((5, (string?)null, 6, "EUR"), Fields(Wire.ReadGenerated<OrderV2Prop>(written)));
    }

    [Fact]
    public void Int_keys_extra_trailing_elements_of_any_shape_are_skipped()
    {
        var bytes = Write(w =>
        {
            w.WriteArrayHeader(6);
            w.Write(11);
            w.Write("sku");
            w.WriteMapHeader(1);
            w.Write("nested");
            w.WriteArrayHeader(2);
            w.Write(1.5);
            w.WriteNil();
            w.Write(new byte[] { 1, 2, 3 });
            w.Write(DateTime.UnixEpoch);
            w.Write(ulong.MaxValue);
        });

        Assert.Equal(new OrderV1(11, "sku"), ReadBoth<OrderV1>(bytes));
    }

    // String keys.

    [Fact]
    public void String_keys_added_properties_keep_their_initializers_when_absent()
    {
        var v2 = OldToNew<CustomerV1, CustomerV2Prop>(new CustomerV1 { Id = 1, Name = "Ada" });
        Assert.Equal((1, "Ada", "none", 3), (v2.Id, v2.Name, v2.Email, v2.Tier));

        var v1 = NewToOld<CustomerV2Prop, CustomerV1>(new CustomerV2Prop { Id = 2, Name = "Bob", Email = "b@x", Tier = 9 });
        Assert.Equal((2, "Bob"), (v1.Id, v1.Name));
    }

    [Fact]
    public void String_keys_added_constructor_parameter_defaults_when_absent()
    {
        var v2 = OldToNew<CustomerV1, CustomerV2Ctor>(new CustomerV1 { Id = 1, Name = "Ada" });
        Assert.Equal((1, "Ada", (string?)null), (v2.Id, v2.Name, v2.Email));

        var v1 = NewToOld<CustomerV2Ctor, CustomerV1>(new CustomerV2Ctor(2, "Bob", "b@x"));
        Assert.Equal((2, "Bob"), (v1.Id, v1.Name));
    }

    [Fact]
    public void String_keys_removed_key_is_skipped()
    {
        var v2 = OldToNew<CustomerV1, CustomerV2Shorter>(new CustomerV1 { Id = 1, Name = "Ada" });
        Assert.Equal(1, v2.Id);

        var v1 = NewToOld<CustomerV2Shorter, CustomerV1>(new CustomerV2Shorter { Id = 2 });
        Assert.Equal((2, (string?)null), (v1.Id, v1.Name));
    }

    [Fact]
    public void String_keys_in_another_order_are_read_by_name()
    {
        var v2 = OldToNew<CustomerV1, CustomerV2Reordered>(new CustomerV1 { Id = 1, Name = "Ada" });
        Assert.Equal((1, "Ada"), (v2.Id, v2.Name));

        var v1 = NewToOld<CustomerV2Reordered, CustomerV1>(new CustomerV2Reordered { Id = 2, Name = "Bob" });
        Assert.Equal((2, "Bob"), (v1.Id, v1.Name));
        Assert.NotEqual(Wire.DynamicBytes(new CustomerV1 { Id = 2, Name = "Bob" }), Wire.GeneratedBytes(new CustomerV2Reordered { Id = 2, Name = "Bob" }));
    }

    [Fact]
    public void String_keys_unknown_keys_of_any_shape_are_skipped()
    {
        var bytes = Write(w =>
        {
            w.WriteMapHeader(6);
            w.Write("zzz");
            w.WriteArrayHeader(2);
            w.WriteMapHeader(1);
            w.Write("deep");
            w.Write(new byte[] { 9 });
            w.Write(-1L);
            w.Write("name");
            w.Write("Ada");
            w.Write("nam"); // a prefix of a known key
            w.Write(12);
            w.Write("idx"); // a known key as prefix
            w.Write("x");
            w.Write("id");
            w.Write(42);
            w.Write("ID"); // keys are case-sensitive
            w.Write(43);
        });

        var v1 = ReadBoth<CustomerV1>(bytes);
        Assert.Equal((42, "Ada"), (v1.Id, v1.Name));
        var v2 = ReadBoth<CustomerV2Prop>(bytes);
        Assert.Equal((42, "Ada", "none", 3), (v2.Id, v2.Name, v2.Email, v2.Tier));
    }

    [Fact]
    public void String_keys_repeated_key_takes_the_last_value_as_the_dynamic_resolver_does()
    {
        var bytes = Write(w =>
        {
            w.WriteMapHeader(3);
            w.Write("id");
            w.Write(1);
            w.Write("name");
            w.Write("first");
            w.Write("name");
            w.Write("second");
        });

        Assert.Equal("second", ReadBoth<CustomerV1>(bytes).Name);
    }

    /// <summary>Old code (dynamic) writes <typeparamref name="TOld"/>; new code (generated) reads <typeparamref name="TNew"/>.</summary>
    private static TNew OldToNew<TOld, TNew>(TOld old) => ReadBoth<TNew>(Wire.DynamicBytes(old));

    /// <summary>New code (generated) writes <typeparamref name="TNew"/>; old code (dynamic) reads <typeparamref name="TOld"/>.</summary>
    private static TOld NewToOld<TNew, TOld>(TNew value)
    {
        var bytes = Wire.GeneratedBytes(value);
        Wire.AssertSameBytes(Wire.DynamicBytes(value), bytes, typeof(TNew).Name);
        return ReadBoth<TOld>(bytes);
    }

    /// <summary>Reads with the generated formatter and checks that the dynamic resolver reads the same.</summary>
    private static T ReadBoth<T>(byte[] bytes)
    {
        var generated = Wire.ReadGenerated<T>(bytes);
        Deep.AssertEqual(Wire.ReadDynamic<T>(bytes), generated, strict: true, typeof(T).Name + " read by the dynamic resolver vs the generated formatter");
        return generated;
    }

    private static (int, string?, int, string) Fields(OrderV2Prop value) => (value.Id, value.Sku, value.Quantity, value.Currency);

    private static byte[] Write(Action<MessageBuilder> write)
    {
        var builder = new MessageBuilder();
        write(builder);
        return builder.ToArray();
    }
}
