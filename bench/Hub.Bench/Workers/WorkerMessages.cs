using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Workers;

/// <summary>The commands the coordinator writes to a worker's standard input, one per line.</summary>
internal static class WorkerCommand
{
    /// <summary>Publishing starts: count deliveries and CPU from here.</summary>
    public const string Publishing = "publishing";

    /// <summary>Drop every subscriber at once and reconnect them; answered with a <see cref="StormSample"/>.</summary>
    public const string Storm = "storm";

    /// <summary>Publishing is over: drain, then answer with a <see cref="WorkerReport"/>.</summary>
    public const string Published = "published";

    /// <summary>Close every subscriber; answered with <see cref="WorkerAnswer.Closed"/>, then the worker waits for the next command.</summary>
    public const string Close = "close";

    /// <summary>Open every subscriber again (new connections, nothing resumed); answered with a <see cref="WorkerConnected"/>.</summary>
    public const string Open = "open";
}

/// <summary>The kinds of line a worker writes to standard output: <c>&lt;kind&gt; &lt;JSON&gt;</c>.</summary>
internal static class WorkerAnswer
{
    /// <summary>Its subscribers are connected: a <see cref="WorkerConnected"/>.</summary>
    public const string Connected = "connected";

    /// <summary>Its storm is over: a <see cref="StormSample"/>.</summary>
    public const string Storm = "storm";

    /// <summary>Its account after the drain: a <see cref="WorkerReport"/>.</summary>
    public const string Report = "report";

    /// <summary>Its subscribers are closed: a <see cref="WorkerConnected"/> with none connected.</summary>
    public const string Closed = "closed";
}

/// <summary>A worker's subscribers are connected (or, after <see cref="WorkerCommand.Close"/>, closed).</summary>
/// <param name="Connected">Subscribers connected and subscribed.</param>
/// <param name="Errors">Connect errors.</param>
/// <param name="Seconds">From the command (or the worker's start) until all attempts had ended.</param>
/// <param name="Rss">The worker's own resident set size then, in bytes.</param>
internal sealed record WorkerConnected(int Connected, int Errors, double Seconds, long Rss);

/// <summary>One worker's account of its subscribers, sent once publishing is over and the drain has ended.</summary>
/// <param name="Index">The worker's number.</param>
/// <param name="Subscribers">Subscribers it was given.</param>
/// <param name="Connected">Of them, connected at the start.</param>
/// <param name="Summary">Its subscribers' totals: expected, delivered, lost, duplicated, out of order.</param>
/// <param name="Latency">Its publish-to-deliver samples, to be merged.</param>
/// <param name="ReceivedDuringPublishing">Event sightings while publishing went on.</param>
/// <param name="CpuSeconds">CPU time the worker used while publishing went on.</param>
/// <param name="DrainSeconds">Time it waited after publishing.</param>
/// <param name="CaughtUp">True when every subscriber had seen all the publisher had acknowledged.</param>
/// <param name="Errors">Errors by category.</param>
/// <param name="ClosedByServer">Connections that ended without the bench dropping them.</param>
/// <param name="Resumed">Of those, subscribers that reconnected on their own with their last id (<see cref="WorkerPlan.FollowDrops"/>).</param>
/// <param name="Recovered">Subscribers caught up again after a drop (a storm's, or the hub's).</param>
/// <param name="LastRecoveredAt">When the last of them caught up: a <see cref="System.Diagnostics.Stopwatch"/> timestamp, the same clock in every process; 0 if none.</param>
/// <param name="ConnectMs">Connect times by transport, in milliseconds.</param>
/// <param name="Rss">The worker's resident set size at the end, in bytes.</param>
internal sealed record WorkerReport(
    int Index, int Subscribers, int Connected, AccountSummary Summary, LatencyHistogram Latency, long ReceivedDuringPublishing, double CpuSeconds,
    double DrainSeconds, bool CaughtUp, IReadOnlyDictionary<string, int> Errors, long ClosedByServer, long Resumed, int Recovered, long LastRecoveredAt,
    IReadOnlyDictionary<string, List<double>> ConnectMs, long Rss);
