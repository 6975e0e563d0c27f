namespace RealtimeHub.Bench.Workers;

/// <summary>
/// One load-generator process's share of a <c>--workers</c> run: its subscribers, where they connect, and
/// the publish log it reads. Written as JSON by the coordinating bench, read by the worker.
/// </summary>
/// <param name="Index">The worker's number, 0 .. workers - 1.</param>
/// <param name="Targets">The addresses its subscribers connect to: the hub nodes (rotated by <paramref name="Index"/>, so every worker starts on a different node), or the load balancer.</param>
/// <param name="Sse">SSE subscribers.</param>
/// <param name="WebSockets">SignalR WebSocket subscribers.</param>
/// <param name="Protocol">Their SignalR protocol.</param>
/// <param name="Topics">Topics of the run.</param>
/// <param name="TopicPrefix">The topics are <c>merchant:&lt;prefix&gt;-&lt;n&gt;</c>.</param>
/// <param name="Sources">Loopback source addresses of its own.</param>
/// <param name="FirstSource">The first of them, counted as in <see cref="LoopbackClient.SourceAddresses"/>.</param>
/// <param name="Concurrency">Its connection attempts in flight at once: its share of <see cref="BenchOptions.Concurrency"/>, which counts all workers'.</param>
/// <param name="ConnectTimeoutSeconds">Time allowed for one connect.</param>
/// <param name="DrainSeconds">Time allowed after publishing, and after a storm, for the last events to arrive.</param>
/// <param name="PublishLog">The publish log file shared with the coordinator (<see cref="Accounting.PublishLog.Open"/>).</param>
/// <param name="FollowDrops">Reconnect a subscriber whose connection ends without the bench dropping it, with its last id.</param>
internal sealed record WorkerPlan(
    int Index, IReadOnlyList<Uri> Targets, int Sse, int WebSockets, SignalRProtocol Protocol, int Topics, string TopicPrefix, int Sources, int FirstSource,
    int Concurrency, double ConnectTimeoutSeconds, double DrainSeconds, string PublishLog, bool FollowDrops)
{
    /// <summary>Splits the run's subscribers as evenly as possible over <see cref="BenchOptions.Workers"/> workers.</summary>
    public static IReadOnlyList<WorkerPlan> Split(BenchOptions options, IReadOnlyList<Uri> targets, string publishLog)
    {
        var workers = options.Workers;
        return [.. Enumerable.Range(0, workers).Select(w => new WorkerPlan(
            w,
            [.. targets.Skip(w % targets.Count), .. targets.Take(w % targets.Count)],
            Share(options.Connections, w, workers),
            Share(options.WebSockets, w, workers),
            options.Protocol,
            options.Topics,
            options.TopicPrefix,
            options.Sources,
            1 + (w * options.Sources),
            Math.Max(1, Share(options.Concurrency, w, workers)),
            options.ConnectTimeout.TotalSeconds,
            options.Drain.TotalSeconds,
            publishLog,
            options.KillNodeAt is not null))];
    }

    private static int Share(int total, int worker, int workers) =>
        (int)(((long)(worker + 1) * total / workers) - ((long)worker * total / workers));
}
