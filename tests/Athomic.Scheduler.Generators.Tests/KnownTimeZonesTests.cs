using System.Reflection;
using Athomic.Scheduler.Generators.Tools;
using Xunit;

namespace Athomic.Scheduler.Generators.Tests;

/// <summary>
/// The generator's time zone snapshot (KnownTimeZones.g.cs) against the build machine's tz database, through the same
/// extraction as the script that writes it: a tzdata update on the build machine that adds, renames or drops an id
/// fails here, naming the ids and the command that regenerates the table.
/// </summary>
public sealed class KnownTimeZonesTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(
        typeof(KnownTimeZonesTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "..", ".."));

    [Fact]
    public void The_snapshot_has_the_ids_of_the_build_machines_tz_database()
    {
        // No tz database is a failure, not a pass: CI installs tzdata (.ci/run), and a skipped check would hide a stale table.
        Assert.True(
            File.Exists(KnownTimeZonesTable.DefaultTzdataPath),
            $"{KnownTimeZonesTable.DefaultTzdataPath} is missing, so the time zone snapshot cannot be checked: install tzdata (Debian: apt-get install tzdata).");

        var machine = KnownTimeZonesTable.Read();
        var expected = new HashSet<string>(machine.All, StringComparer.Ordinal);
        var actual = new HashSet<string>(KnownTimeZones.All, StringComparer.Ordinal);
        string[] missing = expected.Except(actual).OrderBy(id => id, StringComparer.Ordinal).ToArray();
        string[] extra = actual.Except(expected).OrderBy(id => id, StringComparer.Ordinal).ToArray();

        if (missing.Length + extra.Length > 0)
        {
            Assert.Fail(
                $"{KnownTimeZonesTable.TablePath} is out of date against this machine's tz database " +
                $"(tzdata {machine.Version}, {KnownTimeZonesTable.DefaultTzdataPath}).\n" +
                $"On this machine but not in the table ({missing.Length}): {string.Join(", ", missing)}\n" +
                $"In the table but not on this machine ({extra.Length}): {string.Join(", ", extra)}\n" +
                $"Regenerate it from the repository root with: {KnownTimeZonesTable.RegenerateCommand}");
        }
    }

    [Fact]
    public void The_checked_in_table_is_the_scripts_output()
    {
        Assert.True(File.Exists(KnownTimeZonesTable.DefaultTzdataPath), $"{KnownTimeZonesTable.DefaultTzdataPath} is missing: install tzdata.");
        var machine = KnownTimeZonesTable.Read();
        string checkedIn = File.ReadAllText(Path.Combine(Root, KnownTimeZonesTable.TablePath)).ReplaceLineEndings("\n");

        // The same ids as this machine (else the test above says which): then only a hand edit can make the text differ.
        // The table keeps the tzdata version it was generated from; a newer version with the same ids is no change.
        const string Marker = " from tzdata ";
        int start = checkedIn.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        string version = checkedIn.Substring(start, checkedIn.IndexOf(".\n", start, StringComparison.Ordinal) - start);
        var ids = new HashSet<string>(KnownTimeZones.All, StringComparer.Ordinal);
        if (!ids.SetEquals(machine.All))
        {
            return;
        }

        Assert.True(
            KnownTimeZonesTable.Render(machine with { Version = version }) == checkedIn,
            $"{KnownTimeZonesTable.TablePath} differs from what the script writes: it was edited by hand. " +
            $"Regenerate it from the repository root with: {KnownTimeZonesTable.RegenerateCommand}");
    }
}
