using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using MessagePack;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.DependencyInjection;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>In-memory compilations against .NET 10 reference assemblies plus the runtime and its dependencies.</summary>
internal static class TestCompilation
{
    public const string DefaultAssemblyName = "TestApp";
    public const string HandlersPath = "Handlers.cs";

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Parse);

    public static readonly ImmutableArray<MetadataReference> References = Net100.References.All
        .Concat(new[]
        {
            typeof(IScheduler).Assembly,
            typeof(MessagePackSerializer).Assembly,
            typeof(MessagePackObjectAttribute).Assembly,
            typeof(IServiceCollection).Assembly,
            typeof(StackExchange.Redis.IConnectionMultiplexer).Assembly,
            typeof(Microsoft.Extensions.Hosting.BackgroundService).Assembly,
        }.Select(a => (MetadataReference)MetadataReference.CreateFromFile(a.Location)))
        .ToImmutableArray();

    public static CSharpCompilation Create(string source, string assemblyName = DefaultAssemblyName, CSharpParseOptions? parseOptions = null) =>
        Create(new[] { (HandlersPath, source) }, assemblyName, parseOptions);

    public static CSharpCompilation Create(
        IEnumerable<(string Path, string Source)> files,
        string assemblyName = DefaultAssemblyName,
        CSharpParseOptions? parseOptions = null,
        IEnumerable<MetadataReference>? extraReferences = null) =>
        CSharpCompilation.Create(
            assemblyName,
            files.Select(f => CSharpSyntaxTree.ParseText(f.Source, parseOptions ?? ParseOptions, f.Path)),
            References.Concat(extraReferences ?? []),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                deterministic: true)
                // As the SDK does (NoWarn 1701;1702): MessagePack is built against an older System.Runtime.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                }));
}
