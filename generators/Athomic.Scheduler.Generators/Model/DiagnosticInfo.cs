using System.Linq;
using Microsoft.CodeAnalysis;

namespace Athomic.Scheduler.Generators.Model;

/// <summary>A diagnostic as plain, equatable values; turned into a <see cref="Diagnostic"/> only when reported.</summary>
/// <param name="Id">The descriptor id, one of <see cref="DiagnosticDescriptors"/>.</param>
/// <param name="Location">Where it points, or <see langword="null"/> for no source location.</param>
/// <param name="MessageArgs">The arguments of the descriptor's message format.</param>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] messageArgs) =>
        new(descriptor.Id, location, new EquatableArray<string>(messageArgs));

    /// <summary>Whether it is a warning, which users may suppress in source.</summary>
    public bool IsWarning => DiagnosticDescriptors.Get(Id).DefaultSeverity == DiagnosticSeverity.Warning;

    /// <param name="compilation">
    /// The compilation whose syntax tree the location is in, so that <c>#pragma warning disable</c> applies; without
    /// it the location is a path and a span, which pragmas do not match (fine for errors, which pragmas cannot disable).
    /// </param>
    public Diagnostic ToDiagnostic(Compilation? compilation = null) =>
        Diagnostic.Create(
            DiagnosticDescriptors.Get(Id),
            Location?.ToLocation(compilation) ?? Microsoft.CodeAnalysis.Location.None,
            MessageArgs.Cast<object>().ToArray());
}
