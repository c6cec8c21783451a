using System.Reflection;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>Compiles handlers with the generator in memory and loads the result, to run it through a real host.</summary>
internal static class InMemoryAssembly
{
    public static Assembly Compile(string source, string assemblyName)
    {
        var compilation = TestCompilation.Create(
            [(TestCompilation.HandlersPath, source)],
            assemblyName,
            extraReferences: [MetadataReference.CreateFromFile(typeof(InMemoryAssembly).Assembly.Location)]);
        var outcome = GeneratorHarness.Run(compilation);
        Assert.Empty(outcome.AllDiagnostics);

        using var stream = new MemoryStream();
        var emit = outcome.Output.Emit(stream);
        Assert.True(emit.Success, string.Join(Environment.NewLine, emit.Diagnostics));
        return Assembly.Load(stream.ToArray());
    }

    /// <summary>Calls the generated <c>AddScheduledHandlersFrom{Assembly}</c> of <paramref name="assembly"/>.</summary>
    public static void AddHandlers(Assembly assembly, Hosting.SchedulerBuilder builder)
    {
        var identifier = Naming.AssemblyIdentifier(assembly.GetName().Name);
        var extensions = assembly.GetType($"Athomic.Scheduler.{identifier}SchedulerBuilderExtensions", throwOnError: true)!;
        extensions.GetMethod($"AddScheduledHandlersFrom{identifier}")!.Invoke(null, [builder]);
    }
}
