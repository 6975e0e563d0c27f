namespace RealtimeHub.Bench.Workers;

/// <summary>One hub node at one moment: its open files (its connections, and a few dozen of its own) and its memory.</summary>
/// <param name="OpenFiles">Entries in <c>/proc/&lt;pid&gt;/fd</c>.</param>
/// <param name="Snapshot">RSS, then the live heap after a forced full collection.</param>
internal sealed record NodeState(int OpenFiles, ServerSnapshot Snapshot)
{
    /// <summary>Reads every node in turn.</summary>
    public static async Task<IReadOnlyList<NodeState>> ReadAsync(IReadOnlyList<HubServer> servers, IReadOnlyList<GcProbe> probes, CancellationToken cancellationToken)
    {
        var states = new List<NodeState>();
        for (var n = 0; n < servers.Count; n++)
        {
            var openFiles = servers[n].ReadOpenFiles();
            states.Add(new NodeState(openFiles, await ServerSnapshot.TakeAsync(servers[n], probes.Count > n ? probes[n] : null, cancellationToken)));
        }

        return states;
    }
}

/// <summary>One node before the subscribers connected and once they all had, idle: what each connection costs it.</summary>
/// <param name="Node">The node's number, from 1.</param>
/// <param name="Pid">Its process id.</param>
/// <param name="Before">Before the workers started.</param>
/// <param name="Idle">Once every subscriber was connected and the run had settled, before publishing.</param>
/// <param name="CpuSeconds">CPU time it used while publishing went on.</param>
internal sealed record NodeFigures(int Node, int Pid, NodeState Before, NodeState Idle, double CpuSeconds)
{
    /// <summary>Connections it gained: open files once connected minus before.</summary>
    public int Connections => Idle.OpenFiles - Before.OpenFiles;

    /// <summary>RSS growth per connection, in bytes.</summary>
    public double RssPerConnection => Connections <= 0 ? 0 : (Idle.Snapshot.Rss - Before.Snapshot.Rss) / (double)Connections;

    /// <summary>Live managed heap growth per connection, in bytes; null without the heap probe.</summary>
    public double? LiveHeapPerConnection => Connections <= 0 || Idle.Snapshot.Gc is not { } idle || Before.Snapshot.Gc is not { } before
        ? null
        : (idle.LiveAfterCollect - before.LiveAfterCollect) / (double)Connections;
}

/// <summary>One worker's part of the run, for the report: its numbers add up to the run's.</summary>
internal sealed record WorkerFigures(
    int Index, int Subscribers, int Connected, Accounting.AccountSummary Summary, long LatencySamples, long ReceivedDuringPublishing, double CpuSeconds,
    long RssConnected, long RssEnd, int Errors, long ClosedByServer, long Resumed);

/// <summary>Node 1 killed with SIGKILL while publishing, and what became of its subscribers.</summary>
/// <param name="Node">The node killed.</param>
/// <param name="Connections">Connections it held (open files gained while the subscribers connected).</param>
/// <param name="ClosedByServer">Subscriber connections that ended without the bench dropping them.</param>
/// <param name="Resumed">Of them, reconnected through the balancer with their last id.</param>
/// <param name="Recovered">Of them, caught up: seen everything published before they were back.</param>
/// <param name="SecondsUntilCaughtUp">From the kill until the last of them caught up; null if none did.</param>
internal sealed record KillOutcome(Uri Node, int Connections, long ClosedByServer, long Resumed, int Recovered, double? SecondsUntilCaughtUp);

/// <summary>One close-and-reopen wave of every subscriber (<c>--churn</c>).</summary>
/// <param name="Wave">Its number, from 1.</param>
/// <param name="CloseSeconds">Until the slowest worker had closed all its subscribers.</param>
/// <param name="AfterClose">Every node once they were closed and the run had settled.</param>
/// <param name="Reopened">Subscribers connected again.</param>
/// <param name="OpenSeconds">Until the slowest worker had connected all again.</param>
/// <param name="AfterOpen">Every node once they were connected and the run had settled.</param>
internal sealed record ChurnWave(int Wave, double CloseSeconds, IReadOnlyList<NodeState> AfterClose, int Reopened, double OpenSeconds, IReadOnlyList<NodeState> AfterOpen);
