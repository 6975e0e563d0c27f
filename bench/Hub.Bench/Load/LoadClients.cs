using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// The run's subscribers: <c>sse</c> SSE streams and <c>webSockets</c> SignalR clients spread over the
/// topics and nodes. Connects, drops and reconnects them with a bounded number of attempts in flight.
/// </summary>
internal sealed class LoadClients : IAsyncDisposable
{
    private const int ReconnectAttempts = 5;

    /// <summary>A first connect that fails (a timeout on a machine that is out of CPU, say) is tried again, and every failure counted.</summary>
    private const int ConnectAttempts = 3;

    private readonly List<ILoadClient> _clients = [];
    private readonly ConcurrentBag<(string Transport, double Ms)> _connectMs = [];
    private readonly LoadErrors _errors;
    private readonly int _concurrency;
    private readonly SemaphoreSlim _resuming;
    private readonly CancellationTokenSource _closing = new();
    private long _resumed;

    /// <summary>Places the subscribers over topics and nodes and has <paramref name="create"/> make each one.</summary>
    /// <param name="followDrops">
    /// Reconnect a subscriber with its last id as soon as the hub (or the balancer in front of it) ends its
    /// connection, as a browser's EventSource or a reconnecting client would; the account sees it as a drop.
    /// </param>
    public LoadClients(
        IReadOnlyList<Uri> nodes, TopicNames topics, int sse, int webSockets, Func<SubscriberPlace, ILoadClient> create, int concurrency, LoadErrors errors,
        bool followDrops = false)
    {
        _errors = errors;
        _concurrency = concurrency;
        _resuming = new SemaphoreSlim(concurrency);
        var total = sse + webSockets;
        int sseMade = 0, webSocketsMade = 0;
        for (var i = 0; i < total; i++)
        {
            // The transports interleave evenly; within each, subscriber j follows topic j % P, and the
            // rounds (j / P) alternate between nodes, so every topic has members on every node.
            var isSse = (long)(i + 1) * sse / total > (long)i * sse / total;
            var j = isSse ? sseMade++ : webSocketsMade++;
            var topic = j % topics.Count;
            var round = j / topics.Count;
            var client = create(new SubscriberPlace(isSse, nodes[round % nodes.Count], topic, topics[topic], (j + round) % 2 == 1));
            if (followDrops)
            {
                client.ClosedByServer += closed => _ = ResumeAsync(closed);
            }

            _clients.Add(client);
        }
    }

    /// <summary>Subscribers that reconnected on their own after the hub ended their connection (with <c>followDrops</c>).</summary>
    public long Resumed => Interlocked.Read(ref _resumed);

    public IReadOnlyList<ILoadClient> Clients => _clients;

    /// <summary>Connect times in milliseconds of every successful connect and reconnect, by transport.</summary>
    public IReadOnlyCollection<(string Transport, double Ms)> ConnectMs => _connectMs;

    /// <summary>Connects every client (up to three attempts each); returns how many are connected.</summary>
    public async Task<int> ConnectAllAsync(Action<int>? progress, CancellationToken cancellationToken) =>
        await ForAllAsync(_clients, ConnectAttempts, progress, cancellationToken);

    /// <summary>Drops every connected client at once, then reconnects them all with their last ids.</summary>
    public async Task<int> DropAndReconnectAllAsync(CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var client in _clients)
        {
            client.Account.Dropped(now);
            client.Drop();
        }

        return await ForAllAsync(_clients, ReconnectAttempts, null, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        using var gate = new SemaphoreSlim(_concurrency);
        await Task.WhenAll(_clients.Select(async client =>
        {
            await gate.WaitAsync();
            try
            {
                await client.DisposeAsync();
            }
            catch (Exception ex) when (ex is IOException or System.Net.WebSockets.WebSocketException or OperationCanceledException or InvalidOperationException)
            {
                // Closing after the run: nothing to account.
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Reconnects one subscriber whose connection the other side ended, with its last id, a few attempts at most.</summary>
    private async Task ResumeAsync(ILoadClient client)
    {
        client.Account.Dropped(Stopwatch.GetTimestamp());
        try
        {
            if (await ForAllAsync([client], ReconnectAttempts, null, _closing.Token, _resuming) == 1)
            {
                Interlocked.Increment(ref _resumed);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The run is over.
        }
    }

    private async Task<int> ForAllAsync(
        IReadOnlyList<ILoadClient> clients, int attempts, Action<int>? progress, CancellationToken cancellationToken, SemaphoreSlim? shared = null)
    {
        using var own = shared is null ? new SemaphoreSlim(_concurrency) : null;
        var gate = shared ?? own!;
        var connected = 0;
        var done = 0;
        await Task.WhenAll(clients.Select(async client =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                for (var attempt = 1; attempt <= attempts; attempt++)
                {
                    try
                    {
                        await client.ConnectAsync(cancellationToken);
                        _connectMs.Add((client.Transport, client.ConnectTime.TotalMilliseconds));
                        Interlocked.Increment(ref connected);
                        break;
                    }
                    catch (Exception ex) when (!cancellationToken.IsCancellationRequested && Describe(ex) is { } category)
                    {
                        _errors.Add($"{client.Transport} connect: {category}");
                        if (attempt < attempts)
                        {
                            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                        }
                    }
                }
            }
            finally
            {
                gate.Release();
            }

            progress?.Invoke(Interlocked.Increment(ref done));
        }));
        return connected;
    }

    private static string? Describe(Exception ex) => ex switch
    {
        SseConnectException sse => sse.Message,
        HttpRequestException http => $"{http.HttpRequestError}: {http.InnerException?.Message ?? http.Message}",
        SocketException socket => socket.SocketErrorCode.ToString(),
        System.Net.WebSockets.WebSocketException ws => $"WebSocket {ws.WebSocketErrorCode}: {ws.Message}",
        Microsoft.AspNetCore.SignalR.HubException hub => $"hub: {hub.Message}",
        TimeoutException => "timeout",
        OperationCanceledException => "timeout",
        InvalidOperationException invalid => invalid.Message,
        IOException io => io.Message,
        _ => null,
    };
}

/// <summary>Where one subscriber goes: its transport, its node and its topic.</summary>
/// <param name="IsSse">An SSE stream; otherwise a SignalR WebSocket client.</param>
/// <param name="Node">The hub node it connects to.</param>
/// <param name="Topic">The topic's number, 0 .. topics - 1.</param>
/// <param name="TopicName">The topic, <c>merchant:&lt;prefix&gt;-&lt;n&gt;</c>.</param>
/// <param name="Alternate">True for every other subscriber of its transport, and for half of each topic's: where a choice alternates.</param>
internal sealed record SubscriberPlace(bool IsSse, Uri Node, int Topic, string TopicName, bool Alternate = false)
{
    /// <summary>The SSE route for the topic: <c>/api/sse?topic=T</c>.</summary>
    public Uri SseUri => new(Node, $"/api/sse?topic={Uri.EscapeDataString(TopicName)}");

    /// <summary>The hub's WebSocket address.</summary>
    public Uri HubUri => new UriBuilder(new Uri(Node, HubRoutes.ProgressHub)) { Scheme = "ws" }.Uri;
}
