namespace Athomic.Scheduler.Generators.Model;

/// <summary>One handler to emit.</summary>
/// <param name="Spec">The handler.</param>
/// <param name="EmitScheduleMethods">False when its generated method names collide with another handler's (reported as ATS002).</param>
internal sealed record GeneratedHandler(HandlerSpec Spec, bool EmitScheduleMethods);

/// <summary>All the generator emits for one assembly; holds no locations, so moving code around does not re-emit.</summary>
/// <param name="AssemblyIdentifier">The assembly name as an identifier, used in the generated type and method names.</param>
/// <param name="AssemblyName">The assembly name, for docs.</param>
/// <param name="Handlers">The handlers, sorted by handler name then method (ordinal).</param>
/// <param name="Shapes">Every payload shape of every handler, sorted by id; the formatters' method numbers are indexes into it.</param>
/// <param name="DynamicFallback">Whether the assembly opted out with <c>[assembly: DynamicPayloadFormatters]</c>, so <see cref="ShapeKind.Dynamic"/> shapes use MessagePack's standard resolver.</param>
internal sealed record GenerationSpec(
    string AssemblyIdentifier,
    string AssemblyName,
    EquatableArray<GeneratedHandler> Handlers,
    EquatableArray<TypeShape> Shapes = default,
    bool DynamicFallback = false);
