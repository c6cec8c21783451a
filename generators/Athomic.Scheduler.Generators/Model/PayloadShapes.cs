namespace Athomic.Scheduler.Generators.Model;

/// <summary>What <c>PayloadShapeParser</c> found for one payload type.</summary>
/// <param name="RootId">The payload type's shape id.</param>
/// <param name="Shapes">Every shape reachable from the payload, sorted by id.</param>
/// <param name="Unformattable">Why parts of the payload have no generated formatter (each becomes a <see cref="ShapeKind.Dynamic"/> shape).</param>
/// <param name="RuleViolations">MessagePack rules the payload's <c>[MessagePackObject]</c> types break; each fails at run time under any resolver.</param>
internal sealed record PayloadShapes(string RootId, EquatableArray<TypeShape> Shapes, EquatableArray<string> Unformattable, EquatableArray<string> RuleViolations);
