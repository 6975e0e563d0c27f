using System.Net;
using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// The run's stalled subscribers (<c>--stalled N</c>): half SSE streams, half SignalR WebSocket clients, placed
/// over the topics and nodes as the healthy ones are, each of which stops reading once subscribed. At the end
/// they tell how many of them the hub had closed. What they read before stalling goes to an account of their
/// own that no report reads, so the healthy figures stay theirs alone.
/// </summary>
internal sealed class StalledSubscribers : IAsyncDisposable
{
    /// <summary>A probe's read finding nothing for this long means the connection is still open.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);

    /// <summary>At most this long draining one connection; data still coming then means open.</summary>
    private static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(5);

    /// <summary>Long enough that the SignalR client never gives up on a connection it stopped reading: only the hub closes one.</summary>
    private static readonly TimeSpan ServerTimeout = TimeSpan.FromDays(1);

    private readonly LoadClients _clients;
    private readonly int _sse;
    private readonly int _webSockets;

    /// <param name="nodes">The hub nodes.</param>
    /// <param name="topics">The topics the healthy subscribers follow.</param>
    /// <param name="count">Stalled subscribers: the SSE streams get the odd one.</param>
    /// <param name="healthy">How the healthy subscribers are made; the stalled ones are made alike, on sockets of their own.</param>
    /// <param name="sources">Source addresses to bind their sockets to.</param>
    /// <param name="concurrency">Connection attempts in flight at once.</param>
    public StalledSubscribers(
        IReadOnlyList<Uri> nodes, TopicNames topics, int count, SubscriberFactory healthy, IReadOnlyList<IPAddress> sources, int concurrency)
    {
        _webSockets = count / 2;
        _sse = count - _webSockets;
        var factory = healthy with { Accounting = new LoadAccounting(topics.Count), Errors = Errors, ServerTimeout = ServerTimeout };
        _clients = new LoadClients(
            nodes, topics, _sse, _webSockets,
            place => new StalledClient(sources, factory.ConnectTimeout, handler => (factory with
            {
                SseHttp = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan },
                WebSocketInvoker = new HttpMessageInvoker(handler, disposeHandler: false),
            }).Create(place)),
            concurrency, Errors);
    }

    /// <summary>Their connect errors.</summary>
    public LoadErrors Errors { get; } = new();

    /// <summary>Connects and subscribes them all, each then stops reading; returns how many did.</summary>
    public Task<int> ConnectAllAsync(CancellationToken cancellationToken) => _clients.ConnectAllAsync(null, cancellationToken);

    /// <summary>Reads each stalled connection, all at once and bounded in time, to tell which ones the hub has closed.</summary>
    public async Task<StalledOutcome> ProbeAsync()
    {
        var stalled = _clients.Clients.Cast<StalledClient>().ToList();
        var probes = await Task.WhenAll(stalled.Select(client => client.ProbeAsync(Quiet, ProbeLimit)));
        StalledTransport Count(string transport, int asked)
        {
            var mine = stalled.Zip(probes).Where(p => p.First.Transport == transport).Select(p => p.Second).OfType<StallProbe>().ToList();
            return new StalledTransport(asked, mine.Count, mine.Count(p => p.Closed), mine.Sum(p => p.DrainedBytes));
        }

        return new StalledOutcome(Count("sse", _sse), Count("websocket", _webSockets), Errors.ByCategory);
    }

    public ValueTask DisposeAsync() => _clients.DisposeAsync();
}

/// <summary>What became of the stalled subscribers by the end of the run.</summary>
/// <param name="Sse">The SSE streams.</param>
/// <param name="WebSocket">The SignalR WebSocket clients.</param>
/// <param name="Errors">Their connect errors by category.</param>
internal sealed record StalledOutcome(StalledTransport Sse, StalledTransport WebSocket, IReadOnlyDictionary<string, int> Errors)
{
    public int Asked => Sse.Asked + WebSocket.Asked;

    public int ClosedByServer => Sse.ClosedByServer + WebSocket.ClosedByServer;
}

/// <summary>The stalled subscribers of one transport.</summary>
/// <param name="Asked">Asked for.</param>
/// <param name="Stalled">Subscribed, then stopped reading.</param>
/// <param name="ClosedByServer">Of them, closed (or reset) by the hub by the end of the run.</param>
/// <param name="DrainedBytes">Bytes still waiting for them, read at the end to find out.</param>
internal sealed record StalledTransport(int Asked, int Stalled, int ClosedByServer, long DrainedBytes);
