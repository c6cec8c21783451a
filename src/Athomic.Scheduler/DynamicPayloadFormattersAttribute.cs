namespace Athomic.Scheduler;

/// <summary>
/// Lets payload types the generator cannot format (for example <c>[Union]</c> types, immutable collections or types with
/// a custom <c>[MessagePackFormatter]</c>) fall back to MessagePack's dynamic standard resolver, instead of failing the
/// build with ATS023. Generated formatters still handle every type they can. The fallback builds formatters with
/// <c>Reflection.Emit</c> at run time, so an assembly with this attribute is not compatible with Native AOT or trimming.
/// </summary>
/// <example><code>[assembly: Athomic.Scheduler.DynamicPayloadFormatters]</code></example>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class DynamicPayloadFormattersAttribute : Attribute
{
}
