using System.Diagnostics;
using System.Globalization;
using Athomic.Scheduler.Serialization;
using MessagePack;

namespace Athomic.Scheduler.Benchmarks;

/// <summary>A payload-heavy handler's payload: 12 members, nested objects, a list, a dictionary, nullable values, an enum.</summary>
[MessagePackObject]
public sealed record Invoice(
    [property: Key(0)] Guid Id,
    [property: Key(1)] string Customer,
    [property: Key(2)] DateTimeOffset IssuedAt,
    [property: Key(3)] DateTimeOffset? PaidAt,
    [property: Key(4)] decimal Total,
    [property: Key(5)] InvoiceState State,
    [property: Key(6)] List<InvoiceLine> Lines,
    [property: Key(7)] Dictionary<string, string> Tags,
    [property: Key(8)] Address BillTo,
    [property: Key(9)] string[] Notes,
    [property: Key(10)] TimeSpan Terms,
    [property: Key(11)] int? Discount);

/// <summary>One line of an <see cref="Invoice"/>.</summary>
[MessagePackObject]
public sealed record InvoiceLine([property: Key(0)] string Sku, [property: Key(1)] int Quantity, [property: Key(2)] decimal Price);

/// <summary>An address, with string keys.</summary>
[MessagePackObject]
public sealed record Address([property: Key("street")] string Street, [property: Key("city")] string City, [property: Key("zip")] string Zip);

/// <summary>The state of an <see cref="Invoice"/>.</summary>
public enum InvoiceState
{
    /// <summary>Not paid.</summary>
    Open,

    /// <summary>Paid.</summary>
    Paid,
}

/// <summary>A payload keyed by values a client could choose: balances by account number, a set of seen ids.</summary>
[MessagePackObject]
public sealed record Ledger([property: Key(0)] Dictionary<long, int> Balances, [property: Key(1)] HashSet<Guid> Seen)
{
    /// <summary>64 balances and 16 ids.</summary>
    public static Ledger Sample() => new(
        Enumerable.Range(0, 64).ToDictionary(i => 1_000_000_000_000L + (i * 7919L), i => i),
        Enumerable.Range(0, 16).Select(i => new Guid(i, 0, 0, new byte[8])).ToHashSet());
}

/// <summary>The handlers whose payloads the generator formats.</summary>
public static class InvoiceHandlers
{
    /// <summary>Receives an invoice.</summary>
    /// <param name="invoice">The invoice.</param>
    [ScheduledHandler("bench.invoice")]
    public static void Send(Invoice invoice) => GC.KeepAlive(invoice);

    /// <summary>Receives a ledger.</summary>
    /// <param name="ledger">The ledger.</param>
    [ScheduledHandler("bench.ledger")]
    public static void Post(Ledger ledger) => GC.KeepAlive(ledger);
}

/// <summary>
/// Generated formatters against MessagePack's dynamic resolver (the path before issue 15), side by side: the first
/// encode and decode in a fresh process (formatter generation included), and the steady per-payload cost.
/// </summary>
internal static class PayloadBench
{
    private static readonly MessagePackSerializerOptions Dynamic = MessagePackSerializerOptions.Standard.WithSecurity(MessagePackSecurity.UntrustedData);

    public static Invoice Sample(int i) => new(
        Guid.NewGuid(),
        "customer-" + i.ToString(CultureInfo.InvariantCulture),
        new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.FromHours(1)),
        i % 2 == 0 ? null : DateTimeOffset.UnixEpoch.AddDays(i),
        1234.56m + i,
        (InvoiceState)(i % 2),
        [new("sku-1", 2, 9.99m), new("sku-2", 1, 120m), new("sku-3", 5, 0.5m)],
        new() { ["region"] = "eu", ["channel"] = "web" },
        new("1 Main St", "London", "N1 9GU"),
        ["first", "second"],
        TimeSpan.FromDays(30),
        i % 3 == 0 ? 10 : null);

    /// <summary>In a child process: one first encode and decode, printed in microseconds.</summary>
    public static void FirstRun(string mode)
    {
        var invoice = Sample(1);
        var sw = Stopwatch.StartNew();
        var back = mode == "generated"
            ? ScheduledPayload.Deserialize(AthomicSchedulerBenchmarksPayloadResolver.Serialize(invoice), "bench.invoice", AthomicSchedulerBenchmarksPayloadResolver.Instance.GetFormatter<Invoice>()!, null)
            : MessagePackSerializer.Deserialize<Invoice>(MessagePackSerializer.Serialize(invoice, Dynamic), Dynamic);
        var elapsed = sw.Elapsed;
        if (back.Lines.Count != 3)
        {
            throw new InvalidOperationException("round trip lost lines");
        }

        Console.WriteLine(elapsed.TotalMicroseconds.ToString("F0", CultureInfo.InvariantCulture));
    }

    public static async Task RunAsync(Report report)
    {
        // Cold: fresh processes, alternating, median of 7 each.
        var cold = new Dictionary<string, List<double>> { ["generated"] = [], ["dynamic"] = [] };
        for (var round = 0; round < 7; round++)
        {
            foreach (var mode in cold.Keys)
            {
                cold[mode].Add(await ChildAsync(mode));
            }
        }

        var gen = Median(cold["generated"]);
        var dyn = Median(cold["dynamic"]);
        report.Add("payload first encode+decode (fresh process), generated", $"{gen:N0} µs", "median of 7");
        report.Add("payload first encode+decode (fresh process), dynamic", $"{dyn:N0} µs", "generated = " + Report.Ratio(gen, dyn) + " of dynamic");

        // Warm: alternating rounds in this process.
        var invoice = Sample(2);
        var formatter = AthomicSchedulerBenchmarksPayloadResolver.Instance.GetFormatter<Invoice>()!;
        const int n = 200_000;
        var results = new Dictionary<string, (double Ns, double Bytes)>();
        for (var round = 0; round < 3; round++)
        {
            results["generated"] = Measure(n, () => ScheduledPayload.Deserialize(AthomicSchedulerBenchmarksPayloadResolver.Serialize(invoice), "bench.invoice", formatter, null));
            results["dynamic"] = Measure(n, () => MessagePackSerializer.Deserialize<Invoice>(MessagePackSerializer.Serialize(invoice, Dynamic), Dynamic));
        }

        var g = results["generated"];
        var d = results["dynamic"];
        report.Add("payload steady encode+decode, generated", $"{g.Ns:N0} ns, {g.Bytes:N0} B", "per payload");
        report.Add("payload steady encode+decode, dynamic", $"{d.Ns:N0} ns, {d.Bytes:N0} B", "generated = " + Report.Ratio(g.Ns, d.Ns) + " of dynamic time");

        // Keys a client could choose, decoded with hash-flood resistant comparers on both sides (ScheduledPayload.KeyComparer;
        // MessagePack's UntrustedData), and the comparer's own cost against .NET's default on the same 64 long keys.
        var ledger = Ledger.Sample();
        var ledgerFormatter = AthomicSchedulerBenchmarksPayloadResolver.Instance.GetFormatter<Ledger>()!;
        var keys = ledger.Balances.Keys.ToArray();
        for (var round = 0; round < 3; round++)
        {
            results["ledger generated"] = Measure(n / 4, () => ScheduledPayload.Deserialize(AthomicSchedulerBenchmarksPayloadResolver.Serialize(ledger), "bench.ledger", ledgerFormatter, null));
            results["ledger dynamic"] = Measure(n / 4, () => MessagePackSerializer.Deserialize<Ledger>(MessagePackSerializer.Serialize(ledger, Dynamic), Dynamic));
            results["fill resistant"] = Measure(n, () => Fill(keys, ScheduledPayload.KeyComparer<long>()));
            results["fill default"] = Measure(n, () => Fill(keys, null));
        }

        var lg = results["ledger generated"];
        var ld = results["ledger dynamic"];
        report.Add("ledger (64 long keys, 16 Guids) encode+decode, generated", $"{lg.Ns:N0} ns, {lg.Bytes:N0} B", "per payload, flood-resistant key hashing");
        report.Add("ledger (64 long keys, 16 Guids) encode+decode, dynamic", $"{ld.Ns:N0} ns, {ld.Bytes:N0} B", "generated = " + Report.Ratio(lg.Ns, ld.Ns) + " of dynamic time");
        var fr = results["fill resistant"];
        var fd = results["fill default"];
        report.Add("Dictionary<long,int> of 64 keys, KeyComparer<long> (SipHash)", $"{fr.Ns:N0} ns", "per dictionary");
        report.Add("Dictionary<long,int> of 64 keys, default comparer", $"{fd.Ns:N0} ns", "resistant = " + Report.Ratio(fr.Ns, fd.Ns) + " of default time");
    }

    private static Dictionary<long, int> Fill(long[] keys, IEqualityComparer<long>? comparer)
    {
        var dictionary = new Dictionary<long, int>(keys.Length, comparer);
        foreach (var key in keys)
        {
            dictionary.Add(key, 1);
        }

        return dictionary;
    }

    private static (double Ns, double Bytes) Measure(int n, Func<object> roundTrip)
    {
        for (var i = 0; i < 1_000; i++)
        {
            roundTrip();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            roundTrip();
        }

        return (sw.Elapsed.TotalNanoseconds / n, (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n);
    }

    private static async Task<double> ChildAsync(string mode)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(PayloadBench).Assembly.Location);
        }

        start.ArgumentList.Add("--payload-first");
        start.ArgumentList.Add(mode);
        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        return double.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
