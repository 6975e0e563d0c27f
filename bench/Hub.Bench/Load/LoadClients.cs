using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using RealtimeHub.Bench.Accounting;
using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// The run's subscribers: <c>sse</c> SSE streams and <c>webSockets</c> SignalR clients spread over the
/// topics and nodes. Connects, drops and reconnects them with a bounded number of attempts in flight.
/// </summary>
internal sealed class LoadClients : IAsyncDisposable
{
    private const int ReconnectAttempts = 5;

    private readonly List<ILoadClient> _clients = [];
    private readonly ConcurrentBag<(string Transport, double Ms)> _connectMs = [];
    private readonly LoadErrors _errors;
    private readonly int _concurrency;

    public LoadClients(
        IReadOnlyList<Uri> nodes, HttpClient sseHttp, HttpMessageInvoker webSocketInvoker, LoadAccounting accounting, TopicNames topics,
        int sse, int webSockets, bool messagePack, int concurrency, TimeSpan connectTimeout, LoadErrors errors)
    {
        _errors = errors;
        _concurrency = concurrency;
        var total = sse + webSockets;
        int sseMade = 0, webSocketsMade = 0;
        for (var i = 0; i < total; i++)
        {
            // The transports interleave evenly; within each, subscriber j follows topic j % P, and the
            // rounds (j / P) alternate between nodes, so every topic has members on every node.
            var isSse = (long)(i + 1) * sse / total > (long)i * sse / total;
            var j = isSse ? sseMade++ : webSocketsMade++;
            var topic = j % topics.Count;
            var node = nodes[j / topics.Count % nodes.Count];
            var account = accounting.AddClient(topic);
            if (isSse)
            {
                _clients.Add(new SseLoadClient(
                    sseHttp, new Uri(node, $"/api/sse?topic={Uri.EscapeDataString(topics[topic])}"), account, connectTimeout, errors));
            }
            else
            {
                var hub = new UriBuilder(new Uri(node, HubRoutes.ProgressHub)) { Scheme = "ws" }.Uri;
                _clients.Add(new WebSocketLoadClient(hub, webSocketInvoker, messagePack, topics[topic], account, errors));
            }
        }
    }

    public IReadOnlyList<ILoadClient> Clients => _clients;

    /// <summary>Connect times in milliseconds of every successful connect and reconnect, by transport.</summary>
    public IReadOnlyCollection<(string Transport, double Ms)> ConnectMs => _connectMs;

    /// <summary>Connects every client; returns how many are connected.</summary>
    public async Task<int> ConnectAllAsync(Action<int>? progress, CancellationToken cancellationToken) =>
        await ForAllAsync(_clients, attempts: 1, progress, cancellationToken);

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

    private async Task<int> ForAllAsync(IReadOnlyList<ILoadClient> clients, int attempts, Action<int>? progress, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(_concurrency);
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
