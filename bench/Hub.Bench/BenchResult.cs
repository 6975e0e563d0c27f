using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RealtimeHub.Bench;

/// <summary>The figures of one run, printed as a table and written as JSON.</summary>
internal sealed record BenchResult
{
    /// <summary>The goal: at most 12 KiB of server memory per idle SSE stream (with Redis, at 10,000 streams).</summary>
    public const long GoalBytesPerConnection = 12 * 1024;

    public required MachineInfo Machine { get; init; }

    public required string Arguments { get; init; }

    /// <summary>The Hub.Server commit measured.</summary>
    public required string Source { get; init; }

    public required string Route { get; init; }

    public required int Connections { get; init; }

    public required int Topics { get; init; }

    public required int Sources { get; init; }

    public required double SettleSeconds { get; init; }

    public required bool Redis { get; init; }

    public required ulong OpenFileLimit { get; init; }

    public required ulong OpenFileHardLimit { get; init; }

    public required int Opened { get; init; }

    public required int Failed { get; init; }

    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    public required int ClosedByServer { get; init; }

    public required long EventsReceived { get; init; }

    public required double RampSeconds { get; init; }

    public required double ConnectP50Ms { get; init; }

    public required double ConnectP99Ms { get; init; }

    public required double ConnectMaxMs { get; init; }

    public required ServerSnapshot Before { get; init; }

    public required ServerSnapshot After { get; init; }

    /// <summary>The WebSocket phase, opened after the SSE streams were measured; null without <c>--ws</c>.</summary>
    public WebSocketPhase? WebSockets { get; init; }

    /// <summary>After the streams were closed and the server settled again: what they left behind.</summary>
    public required ServerSnapshot Closed { get; init; }

    /// <summary>(RSS after − RSS before) / streams opened: the headline figure.</summary>
    public double RssBytesPerConnection => PerConnection(After.Rss - Before.Rss);

    /// <summary>The same after a forced full collection on both sides; null without the probe.</summary>
    public double? RssAfterCollectBytesPerConnection => After.RssAfterCollect - Before.RssAfterCollect is { } d ? PerConnection(d) : null;

    /// <summary>Live managed bytes per stream after a forced full collection; null without the probe.</summary>
    public double? GcLiveBytesPerConnection => After.Gc?.LiveAfterCollect - Before.Gc?.LiveAfterCollect is { } d ? PerConnection(d) : null;

    /// <summary>Live managed bytes per stream still held once every stream has closed (a leak shows here); null without the probe.</summary>
    public double? GcLeftBytesPerConnection => Closed.Gc?.LiveAfterCollect - Before.Gc?.LiveAfterCollect is { } d ? PerConnection(d) : null;

    /// <summary>
    /// True when both the RSS growth and (when measured) the live managed heap per stream are within
    /// <see cref="GoalBytesPerConnection"/>: RSS alone can hide the cost in memory an earlier peak left committed.
    /// </summary>
    public bool GoalMet => Opened > 0
        && RssBytesPerConnection <= GoalBytesPerConnection
        && (GcLiveBytesPerConnection ?? 0) <= GoalBytesPerConnection;

    /// <summary>The figures as a Markdown table.</summary>
    public string ToTable()
    {
        var rows = new List<(string, string)>
        {
            ("machine", $"{Machine.Processors} cores, {Mib(Machine.MemoryBytes)}, Linux {Machine.Kernel}, SDK {Machine.DotnetSdk}, load average {Machine.LoadAverage} at start"),
            ("Hub.Server source", Source),
            ("route", $"{Route}, {Topics} topics, {Sources} source addresses, {(Redis ? "Redis" : "embedded (no Redis)")}"),
            ("open-file limit (soft/hard)", $"{OpenFileLimit} / {OpenFileHardLimit}"),
            ("streams opened / asked", $"{Opened} / {Connections}"),
            ("failed", Failed == 0 ? "0" : $"{Failed}: {string.Join("; ", Errors.Select(e => $"{e.Value}× {e.Key}"))}"),
            ("closed by server while idle", $"{ClosedByServer}"),
            ("events received", $"{EventsReceived}"),
            ("ramp", $"{RampSeconds:0.0} s ({Opened / Math.Max(RampSeconds, 0.001):0} streams/s)"),
            ("connect p50 / p99 / max", $"{ConnectP50Ms:0.0} / {ConnectP99Ms:0.0} / {ConnectMaxMs:0.0} ms"),
            ("server RSS before → after", $"{Mib(Before.Rss)} → {Mib(After.Rss)} (settled {SettleSeconds:0} s)"),
            ("**RSS per idle stream**", $"**{RssBytesPerConnection:0} B ({RssBytesPerConnection / 1024:0.0} KiB)**"),
            ("server threads before → after → closed", $"{Before.Threads} → {After.Threads} → {Closed.Threads}"),
        };
        if (Before.Gc is { } gcBefore && After.Gc is { } gcAfter)
        {
            rows.Add(("server GC", gcAfter.ServerGc ? "server" : "workstation"));
            rows.Add(("managed heap before → after (live, after full GC)", $"{Mib(gcBefore.LiveAfterCollect)} → {Mib(gcAfter.LiveAfterCollect)}"));
            rows.Add(("managed live bytes per stream", $"{GcLiveBytesPerConnection:0} B"));
            rows.Add(("of which pinned (I/O buffers) before → after", $"{Mib(gcBefore.Pinned)} → {Mib(gcAfter.Pinned)}"));
            rows.Add(("GC committed before → after", $"{Mib(gcBefore.Committed)} → {Mib(gcAfter.Committed)}"));
            rows.Add(("RSS after full GC before → after", $"{Mib(Before.RssAfterCollect ?? 0)} → {Mib(After.RssAfterCollect ?? 0)} ({RssAfterCollectBytesPerConnection:0} B per stream)"));
            rows.Add(("managed heap once all closed (live, after full GC)", $"{Mib(Closed.Gc?.LiveAfterCollect ?? 0)} ({GcLeftBytesPerConnection:0} B per stream left behind)"));
        }

        rows.Add(($"goal ≤ {GoalBytesPerConnection / 1024} KiB per idle stream (RSS and live heap)", Opened == 0 ? "-" : GoalMet ? "met" : "NOT met"));
        if (WebSockets is { } ws)
        {
            var rssPerWs = ws.RssBytesPerConnection(After);
            var livePerWs = ws.GcLiveBytesPerConnection(After);
            rows.Add(("WebSocket connections opened / asked", $"{ws.Opened} / {ws.Asked} ({ws.Protocol}, each subscribed to one topic)"));
            rows.Add(("WebSocket failed / closed by server", ws.Errors.Count == 0 ? $"0 / {ws.ClosedByServer}" : $"{string.Join("; ", ws.Errors.Select(e => $"{e.Value}× {e.Key}"))} / {ws.ClosedByServer}"));
            rows.Add(("WebSocket ramp, connect p50 / p99 / max", $"{ws.RampSeconds:0.0} s, {ws.ConnectP50Ms:0.0} / {ws.ConnectP99Ms:0.0} / {ws.ConnectMaxMs:0.0} ms"));
            rows.Add(("server RSS before → after the WebSockets", $"{Mib(After.RssAfterCollect ?? After.Rss)} → {Mib(ws.After.Rss)}"));
            rows.Add(("**RSS per idle WebSocket**", $"**{rssPerWs:0} B ({rssPerWs / 1024:0.0} KiB)**"));
            rows.Add(("managed live bytes per WebSocket", livePerWs is null ? "not probed" : $"{livePerWs:0} B"));
            rows.Add(($"goal ≤ {WebSocketPhase.GoalBytesPerConnection / 1024} KiB per idle WebSocket (RSS and live heap)", ws.GoalMet(After) ? "met" : "NOT met"));
        }

        var table = new StringBuilder("| metric | value |\n|---|---|\n");
        foreach (var (name, value) in rows)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {name} | {value} |\n");
        }

        return table.ToString();
    }

    /// <summary>The figures as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ReportJson.Options);

    /// <summary>The nearest-rank percentile <paramref name="q"/> (0..1) of the ascending <paramref name="sorted"/>; 0 when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MiB");

    private double PerConnection(long bytes) => Opened == 0 ? 0 : (double)bytes / Opened;
}

/// <summary>The idle WebSocket phase: SignalR connections opened after the SSE streams, measured against the server then.</summary>
internal sealed record WebSocketPhase
{
    /// <summary>The goal: at most 16 KiB of server memory per idle WebSocket (with Redis, at 10,000 connections).</summary>
    public const long GoalBytesPerConnection = 16 * 1024;

    [System.Text.Json.Serialization.JsonIgnore]
    public Load.LoadClients Clients { get; init; } = null!;

    public required string Protocol { get; init; }

    public required int Asked { get; init; }

    public required int Opened { get; init; }

    public required IReadOnlyDictionary<string, int> Errors { get; init; }

    public required long ClosedByServer { get; init; }

    public required double RampSeconds { get; init; }

    public required double ConnectP50Ms { get; init; }

    public required double ConnectP99Ms { get; init; }

    public required double ConnectMaxMs { get; init; }

    public required ServerSnapshot After { get; init; }

    /// <summary>RSS growth per connection from just before the phase (after the SSE measurement's collection).</summary>
    public double RssBytesPerConnection(ServerSnapshot before) =>
        Opened == 0 ? 0 : (double)(After.Rss - (before.RssAfterCollect ?? before.Rss)) / Opened;

    /// <summary>Live managed bytes per connection after a forced full collection; null without the probe.</summary>
    public double? GcLiveBytesPerConnection(ServerSnapshot before) =>
        After.Gc?.LiveAfterCollect - before.Gc?.LiveAfterCollect is { } d && Opened > 0 ? (double)d / Opened : null;

    public bool GoalMet(ServerSnapshot before) => Opened > 0
        && RssBytesPerConnection(before) <= GoalBytesPerConnection
        && (GcLiveBytesPerConnection(before) ?? 0) <= GoalBytesPerConnection;
}
