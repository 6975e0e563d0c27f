using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>What the subscribers and the publisher saw in one load run.</summary>
internal sealed record LoadOutcome
{
    [JsonIgnore]
    public LoadClients Clients { get; init; } = null!;

    public required int Connected { get; init; }

    public required double RampSeconds { get; init; }

    [JsonIgnore]
    public IReadOnlyList<(string Transport, double Ms)> ConnectMs { get; init; } = [];

    public required long Published { get; init; }

    public required long PublishFailedEvents { get; init; }

    public required double PublishSeconds { get; init; }

    /// <summary>Event sightings by all subscribers while publishing went on.</summary>
    public required long ReceivedDuringPublishing { get; init; }

    /// <summary>CPU time the hub nodes used while publishing went on (0 for nodes that are not the bench's processes).</summary>
    public required double ServerCpuSeconds { get; init; }

    /// <summary>CPU time the bench itself used meanwhile.</summary>
    public required double BenchCpuSeconds { get; init; }

    public required double DrainSeconds { get; init; }

    public required bool CaughtUp { get; init; }

    public required AccountSummary Summary { get; init; }

    public required long LatencyCount { get; init; }

    public required double LatencyP50Ms { get; init; }

    public required double LatencyP99Ms { get; init; }

    public required double LatencyP999Ms { get; init; }

    public required double LatencyMaxMs { get; init; }

    /// <summary>How long each acknowledged publish (one POST of a batch) took to be answered, sorted, in milliseconds.</summary>
    [JsonIgnore]
    public IReadOnlyList<double> AcknowledgeMs { get; init; } = [];

    /// <summary>The publish round trip: p50, p99 and max in milliseconds (all 0 without acknowledged publishes).</summary>
    public double[] AcknowledgeTimes => AcknowledgeMs.Count == 0
        ? [0, 0, 0]
        : [BenchResult.Percentile(AcknowledgeMs, 0.5), BenchResult.Percentile(AcknowledgeMs, 0.99), AcknowledgeMs[^1]];

    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    public required long ClosedByServer { get; init; }

    public required StormOutcome? Storm { get; init; }

    /// <summary>The stalled subscribers (<c>--stalled</c>), kept out of every figure above; null when none were asked for.</summary>
    public StalledOutcome? Stalled { get; init; }

    /// <summary>The servers' summed RSS once everyone had connected, before publishing.</summary>
    public required long RssConnected { get; init; }

    /// <summary>The largest summed RSS seen while publishing.</summary>
    public required long RssPeak { get; init; }

    public double DeliveriesPerSecond => PublishSeconds == 0 ? 0 : ReceivedDuringPublishing / PublishSeconds;

    /// <summary>Connect times by transport: p50, p99, max in milliseconds.</summary>
    public IReadOnlyDictionary<string, double[]> ConnectTimes => ConnectMs
        .GroupBy(c => c.Transport)
        .ToDictionary(g => g.Key, g =>
        {
            var sorted = g.Select(c => c.Ms).Order().ToList();
            return new[] { BenchResult.Percentile(sorted, 0.5), BenchResult.Percentile(sorted, 0.99), sorted[^1] };
        });
}

/// <summary>A load run: the machine, the settings, the outcome and the servers' own figures; as a table and as JSON.</summary>
internal sealed record LoadResult
{
    public required MachineInfo Machine { get; init; }

    public required string Arguments { get; init; }

    public required string Source { get; init; }

    public required int Nodes { get; init; }

    public required string? Redis { get; init; }

    /// <summary>Replicas the bench started for its redis-server.</summary>
    public int Replicas { get; init; }

    /// <summary>The hub's <c>Redis:ReplicasToAcknowledge</c>.</summary>
    public int Acknowledge { get; init; }

    public required ulong OpenFileLimit { get; init; }

    public required ulong OpenFileHardLimit { get; init; }

    public required string Protocol { get; init; }

    public required int Sse { get; init; }

    public required int WebSockets { get; init; }

    public required int Topics { get; init; }

    public required int Sources { get; init; }

    public required double Rate { get; init; }

    public required double DurationSeconds { get; init; }

    public required LoadOutcome Outcome { get; init; }

    public required ServerMetrics? ServerMetrics { get; init; }

    /// <summary>Each node after the run: RSS, then the live heap after a forced full collection.</summary>
    public required IReadOnlyList<ServerSnapshot> ServerAfter { get; init; }

    /// <summary>True when every subscriber saw every event it had to, once and in order, and nothing failed.</summary>
    public bool Clean => Outcome.Summary is { Lost: 0, Duplicates: 0, OutOfOrder: 0 }
        && Outcome.PublishFailedEvents == 0 && Outcome.Connected == Sse + WebSockets && Outcome.ClosedByServer == 0;

    public string ToTable()
    {
        var o = Outcome;
        var s = o.Summary;
        var rows = new List<(string, string)>
        {
            ("machine", $"{Machine.Processors} cores, {Mib(Machine.MemoryBytes)}, Linux {Machine.Kernel}, SDK {Machine.DotnetSdk}, load average {Machine.LoadAverage} at start (load generator and hub share the cores)"),
            ("Hub.Server source", Source),
            ("nodes / backplane", $"{Nodes} / {(Redis is null ? "embedded (no Redis)" : $"Redis {Redis}, {Replicas} replica(s), ReplicasToAcknowledge {Acknowledge}")}"),
            ("subscribers", $"{Sse} SSE + {WebSockets} WebSocket ({Protocol}) = {Sse + WebSockets} over {Topics} topics, {Sources} source addresses"),
            ("open-file limit (soft/hard)", $"{OpenFileLimit} / {OpenFileHardLimit}"),
            ("connected", $"{o.Connected} in {o.RampSeconds:0.0} s"),
        };
        foreach (var (transport, times) in o.ConnectTimes.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            rows.Add(($"connect {transport} p50 / p99 / max", $"{times[0]:0.0} / {times[1]:0.0} / {times[2]:0.0} ms"));
        }

        rows.AddRange(
        [
            ("publishing", $"{Rate:0} events/s asked, {o.Published} acknowledged in {o.PublishSeconds:0.0} s ({o.Published / Math.Max(o.PublishSeconds, 0.001):0}/s), {o.PublishFailedEvents} failed"),
            ("publish answered in p50 / p99 / max", $"{o.AcknowledgeTimes[0]:0.00} / {o.AcknowledgeTimes[1]:0.00} / {o.AcknowledgeTimes[2]:0.0} ms ({o.AcknowledgeMs.Count} POSTs)"),
            ("**deliveries/s** (while publishing)", $"**{o.DeliveriesPerSecond:0}** ({o.ReceivedDuringPublishing} in {o.PublishSeconds:0.0} s)"),
            ("CPU while publishing: hub / bench", $"{o.ServerCpuSeconds:0.0} s ({o.ServerCpuSeconds / Math.Max(o.PublishSeconds, 0.001) * 100:0} % of a core, {o.ServerCpuSeconds * 1e6 / Math.Max(o.ReceivedDuringPublishing, 1):0.0} µs per delivery) / {o.BenchCpuSeconds:0.0} s ({o.BenchCpuSeconds / Math.Max(o.PublishSeconds, 0.001) * 100:0} %)"),
            ("**latency p50 / p99 / p99.9 / max**", $"**{o.LatencyP50Ms:0.00} / {o.LatencyP99Ms:0.00} / {o.LatencyP999Ms:0.00} / {o.LatencyMaxMs:0.0} ms** ({o.LatencyCount} samples)"),
            ("expected / delivered", $"{s.Expected} / {s.Delivered} (drained in {o.DrainSeconds:0.0} s, {(o.CaughtUp ? "all caught up" : "NOT all caught up")})"),
            ("**lost / duplicated / out of order**", $"**{s.Lost} / {s.Duplicates} / {s.OutOfOrder}**{(s.ClientsWithLoss > 0 ? $" ({s.ClientsWithLoss} subscribers missed events)" : "")}"),
            ("resume overlaps dropped by id (SignalR, allowed)", $"{s.ResumeOverlaps}"),
            ("errors", o.Errors.Count == 0 ? "0" : string.Join("; ", o.Errors.Select(e => $"{e.Value}× {e.Key}"))),
            ("closed by the server", $"{o.ClosedByServer}"),
        ]);
        if (o.Storm is { } storm)
        {
            rows.Add(("storm: dropped / reconnected / caught up", $"{storm.Dropped} / {storm.Reconnected} / {storm.Recovered}"));
            rows.Add(("storm: all reconnected after", $"{storm.ReconnectSeconds:0.0} s"));
            rows.Add(("**storm: caught up after** (median / last)", $"**{storm.RecoveryP50Seconds:0.0} / {storm.RecoveryMaxSeconds:0.0} s**"));
        }

        if (o.Stalled is { } stalled)
        {
            rows.Add(("stalled subscribers asked (SSE + WebSocket)", $"{stalled.Asked} ({stalled.Sse.Asked} + {stalled.WebSocket.Asked}); {stalled.Sse.Stalled} + {stalled.WebSocket.Stalled} subscribed, then stopped reading{(stalled.Errors.Count == 0 ? "" : "; errors: " + string.Join("; ", stalled.Errors.Select(e => $"{e.Value}× {e.Key}")))}"));
            rows.Add(("**stalled: closed by the server** SSE / WebSocket", $"**{stalled.Sse.ClosedByServer} of {stalled.Sse.Stalled} / {stalled.WebSocket.ClosedByServer} of {stalled.WebSocket.Stalled}** (still waiting for them at the end: {Kib(stalled.Sse.DrainedBytes)} / {Kib(stalled.WebSocket.DrainedBytes)})"));
        }

        rows.Add(("server RSS connected → peak (all nodes)", $"{Mib(o.RssConnected)} → {Mib(o.RssPeak)}"));
        for (var n = 0; n < ServerAfter.Count; n++)
        {
            var after = ServerAfter[n];
            rows.Add(($"node {n + 1} after: RSS / live managed heap", $"{Mib(after.Rss)} / {(after.Gc is { } gc ? Mib(gc.LiveAfterCollect) : "not probed")}"));
        }

        if (ServerMetrics is { } m)
        {
            rows.Add(("hub /metrics: accepted / SSE live + replay deliveries", $"{m.EventsAccepted:0} / {m.SseLiveDeliveries:0} + {m.SseReplayDeliveries:0}"));
            rows.Add(("hub /metrics: SSE latency mean", m.SseLatencyCount == 0 ? "-" : $"{m.SseLatencySumSeconds / m.SseLatencyCount * 1000:0.00} ms"));
            rows.Add(("hub /metrics: slow consumers closed", m.SlowConsumersClosed is { } closed
                ? string.Join(", ", closed.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value:0}"))
                : "not exported"));
            rows.Add(("hub /metrics: gaps filled from history / lost", m.Gaps is { } gaps
                ? $"{gaps.GetValueOrDefault("filled"):0} / {gaps.GetValueOrDefault("lost"):0}"
                : "not exported"));
        }

        rows.Add(("result", Clean ? "clean: nothing lost, duplicated, reordered or failed" : "NOT clean"));
        var table = new StringBuilder("| metric | value |\n|---|---|\n");
        foreach (var (name, value) in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {name} | {value} |\n");
        }

        return table.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Options);

    private static string Kib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB");

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MiB");
}
