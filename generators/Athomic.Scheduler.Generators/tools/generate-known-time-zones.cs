#!/usr/bin/env -S dotnet run
#:include KnownTimeZonesTable.cs
// Writes generators/Athomic.Scheduler.Generators/KnownTimeZones.g.cs from this machine's tz database.
// Run from the repository root:   dotnet run generators/Athomic.Scheduler.Generators/tools/generate-known-time-zones.cs
// Arguments (optional):           [path to tzdata.zi, default /usr/share/zoneinfo/tzdata.zi] [output path]
// The selection rule is in KnownTimeZonesTable.cs; GeneratorTimeZoneTableTests checks the result against the build machine.
using Athomic.Scheduler.Generators.Tools;

string tzdata = args.Length > 0 ? args[0] : KnownTimeZonesTable.DefaultTzdataPath;
string output = args.Length > 1 ? args[1] : KnownTimeZonesTable.TablePath;

var snapshot = KnownTimeZonesTable.Read(tzdata);
File.WriteAllText(output, KnownTimeZonesTable.Render(snapshot));
Console.WriteLine($"{output}: tzdata {snapshot.Version}, {snapshot.Iana.Count} IANA ids, {snapshot.Windows.Count} Windows ids");
