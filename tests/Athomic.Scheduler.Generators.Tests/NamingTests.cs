using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>The generator's naming rules, and its handler-name rule against the runtime's own.</summary>
public sealed class NamingTests
{
    [Fact]
    public void Handler_name_rule_mirrors_TaskIds_IsValid_for_every_UTF16_code_unit()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            foreach (var candidate in new[] { ((char)c).ToString(), "a" + (char)c + "b" })
            {
                Assert.True(
                    TaskIds.IsValid(candidate) == (Naming.HandlerNameProblem(candidate) is null),
                    $"U+{c:X4} in '{candidate}': runtime {TaskIds.IsValid(candidate)}, generator {Naming.HandlerNameProblem(candidate)}");
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("orders.placed")]
    [InlineData("\uD83D\uDE00")]
    [InlineData("\uD83D")]
    [InlineData("\uDE00\uD83D")]
    [InlineData("x\uD83D")]
    [InlineData("weird/name:with|chars")]
    public void Handler_name_rule_mirrors_TaskIds_IsValid_for_edge_cases(string name)
    {
        Assert.Equal(TaskIds.IsValid(name), Naming.HandlerNameProblem(name) is null);
    }

    [Fact]
    public void Handler_name_rule_mirrors_TaskIds_IsValid_at_the_length_limit()
    {
        Assert.True(TaskIds.IsValid(new string('a', TaskIds.MaxLength)));
        Assert.Null(Naming.HandlerNameProblem(new string('a', TaskIds.MaxLength)));
        Assert.False(TaskIds.IsValid(new string('a', TaskIds.MaxLength + 1)));
        Assert.Equal("it has 257 characters, more than 256", Naming.HandlerNameProblem(new string('a', TaskIds.MaxLength + 1)));
        Assert.Equal(TaskIds.MaxLength, Naming.MaxHandlerNameLength);
    }

    [Theory]
    [InlineData("MyApp", "MyApp")]
    [InlineData("My.App", "MyApp")]
    [InlineData("my-app.core", "MyAppCore")]
    [InlineData("My_App", "MyApp")]
    [InlineData("1st.Lib", "_1stLib")]
    [InlineData("", "Assembly")]
    [InlineData(null, "Assembly")]
    [InlineData("Athomic.Scheduler.Generators.TestLibrary", "AthomicSchedulerGeneratorsTestLibrary")]
    public void Assembly_identifier(string? assemblyName, string expected)
    {
        Assert.Equal(expected, Naming.AssemblyIdentifier(assemblyName));
    }

    [Theory]
    [InlineData("EndTrial", "EndTrial")]
    [InlineData("EndTrialAsync", "EndTrial")]
    [InlineData("Async", "Async")]
    [InlineData("run", "Run")]
    [InlineData("_purge", "_purge")]
    public void Schedule_name(string methodName, string expected)
    {
        Assert.Equal(expected, Naming.ScheduleName(methodName));
    }
}
