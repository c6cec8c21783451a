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

    public Diagnostic ToDiagnostic() =>
        Diagnostic.Create(
            DiagnosticDescriptors.Get(Id),
            Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None,
            MessageArgs.Cast<object>().ToArray());
}
