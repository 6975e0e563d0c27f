using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace RealtimeHub.Server.WebSockets;

/// <summary>
/// The node's open <see cref="HubWebSocketConnection"/>s: ticks each once a second from one timer
/// (SignalR's keep-alive ping and client timeout, the send timeout and the authentication expiry all
/// hang off it), and aborts them all when the node stops, so their clients reconnect elsewhere at once.
/// </summary>
internal sealed partial class ConnectionHeartbeat : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<HubWebSocketConnection, byte> _connections = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _stopping;
    private int _ticking;

    public ConnectionHeartbeat(TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ConnectionHeartbeat> logger)
    {
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => Tick(), null, Period, Period);
        _stopping = lifetime.ApplicationStopping.Register(AbortAll);
    }

    public void Add(HubWebSocketConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(HubWebSocketConnection connection) => _connections.TryRemove(connection, out _);

    public void Dispose()
    {
        _stopping.Dispose();
        _timer.Dispose();
    }

    private void Tick()
    {
        // A tick that takes longer than the period (a great many connections) is not overlapped by the next.
        if (Interlocked.Exchange(ref _ticking, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _time.GetUtcNow();
            var ticks = Environment.TickCount64;
            foreach (var connection in _connections.Keys)
            {
                try
                {
                    connection.Tick(now, ticks);
                }
                catch (Exception ex)
                {
                    // One connection's failure must not stop the others' keep-alive and timeouts.
                    LogTickFailed(_logger, connection.ConnectionId, ex);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void AbortAll()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Abort(new ConnectionAbortedException("The node is stopping."));
        }
    }

    [LoggerMessage(1, LogLevel.Error, "The heartbeat of connection {ConnectionId} failed.")]
    private static partial void LogTickFailed(ILogger logger, string connectionId, Exception exception);
}
