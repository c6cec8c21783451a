using Athomic.Scheduler.Generators.Tests.Handlers;
using Athomic.Scheduler.Generators.Tests.Infrastructure;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary><c>required</c> members: the same bytes as the dynamic resolver, read back both ways.</summary>
public sealed class RequiredMemberTests
{
    [Theory]
    [InlineData("a", 0)]
    [InlineData("", 7)]
    [InlineData(null, -1)]
    public void Required_member_round_trips_with_the_dynamic_resolvers_bytes(string? name, int count)
    {
        var value = new WireRequired { Name = name!, Count = count };
        var generated = Wire.GeneratedBytes(value);
        Wire.AssertSameBytes(Wire.DynamicBytes(value), generated, "WireRequired");

        var back = Wire.ReadGenerated<WireRequired>(generated);
        Assert.Equal((name, count), (back.Name, back.Count));
        var old = Wire.ReadDynamic<WireRequired>(generated);
        Assert.Equal((name, count), (old.Name, old.Count));
    }

    [Fact]
    public void A_missing_required_member_reads_as_its_default_and_the_others_keep_their_initializers()
    {
        var back = Wire.ReadGenerated<WireRequired>(new byte[] { 0x90 }); // an empty array
        Assert.Null(back.Name);
        Assert.Equal(5, back.Count);
    }
}
