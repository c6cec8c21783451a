using System.Reflection;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>
/// Checked-in baseline files under <c>Baselines/{Case}/</c>: <c>Input.cs</c> and one file per generated source.
/// They are read from the project directory; set <c>ATHOMIC_UPDATE_BASELINES=1</c> to rewrite the expected files.
/// </summary>
internal static class Baselines
{
    public const string InputFile = "Input.cs";
    public const string UpdateVariable = "ATHOMIC_UPDATE_BASELINES";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static string Root { get; } = Path.Combine(
        typeof(Baselines).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "Baselines");

    public static IEnumerable<string> Cases() =>
        Directory.GetDirectories(Root).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal)!;

    public static string Read(string @case, string file) => Normalize(File.ReadAllText(Path.Combine(Root, @case, file)));

    public static IReadOnlyList<string> ExpectedFiles(string @case) =>
        Directory.GetFiles(Path.Combine(Root, @case))
            .Select(Path.GetFileName)
            .Where(n => n != InputFile)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList()!;

    public static void Write(string @case, IReadOnlyDictionary<string, string> sources)
    {
        foreach (var stale in ExpectedFiles(@case).Where(f => !sources.ContainsKey(f)))
        {
            File.Delete(Path.Combine(Root, @case, stale));
        }

        foreach (var (name, text) in sources)
        {
            File.WriteAllText(Path.Combine(Root, @case, name), Normalize(text));
        }
    }

    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
}
