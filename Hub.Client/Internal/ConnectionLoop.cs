using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// Keeps one connection to the hub up: connects to the next node, has every topic rejoined, waits for the
/// close, repeats, pacing failed attempts with the reconnect policy. SignalR's own automatic reconnect is
/// not used: it stays on one URL and keeps no group membership. It knows nothing of topics: it reports a
/// new connection, each event and its own end through the delegates it was given, never while holding its lock.
/// </summary>
internal sealed class ConnectionLoop : IAsyncDisposable
{
    private readonly RealtimeHubClientOptions _options;
    private readonly IReadOnlyList<HubEndpoint> _endpoints;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Func<LiveConnection, Task> _onConnected;
    private readonly Action<LiveConnection, EventEnvelope> _onEvent;
    private readonly Action<HistoryReset> _onHistoryReset;
    private readonly Action<Exception?> _onEnded;
    private readonly CancellationTokenSource _stopping = new();

    // Guards everything below.
    private readonly Lock _sync = new();
    private TaskCompletionSource<LiveConnection> _connected = NewConnectionSource();
    private LiveConnection? _live;
    private int _closedGeneration;
    private int _generation;
    private Task? _run;
    private bool _disposed;

    /// <summary>Creates the loop; it starts with the first <see cref="WaitAsync"/> or <see cref="EnsureStarted"/>.</summary>
    /// <param name="options">The nodes' URLs (read now) and the settings each connection and retry reads.</param>
    /// <param name="loggerFactory">Where the SignalR connections log.</param>
    /// <param name="logger">The client's logger.</param>
    /// <param name="onConnected">Joins what needs joining on a connection that has just become current; awaited before the next one.</param>
    /// <param name="onEvent">Hears of every <c>OnEvent</c> the hub sends, with the connection it came on.</param>
    /// <param name="onHistoryReset">Hears of every <c>OnHistoryReset</c> the hub sends.</param>
    /// <param name="onEnded">Hears that the loop has ended for good: null when disposed, else the error it gave up on.</param>
    public ConnectionLoop(
        RealtimeHubClientOptions options,
        ILoggerFactory loggerFactory,
        ILogger logger,
        Func<LiveConnection, Task> onConnected,
        Action<LiveConnection, EventEnvelope> onEvent,
        Action<HistoryReset> onHistoryReset,
        Action<Exception?> onEnded)
    {
        _endpoints = HubEndpoint.From(options.Urls);
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = logger;
        _onConnected = onConnected;
        _onEvent = onEvent;
        _onHistoryReset = onHistoryReset;
        _onEnded = onEnded;
    }

    /// <summary>The hub URL of the current connection, or null while (re)connecting.</summary>
    public Uri? ConnectedUrl
    {
        get
        {
            lock (_sync)
            {
                return _live?.Endpoint.Hub;
            }
        }
    }

    /// <summary>The current connection, or null while (re)connecting.</summary>
    public LiveConnection? Current
    {
        get
        {
            lock (_sync)
            {
                return _live;
            }
        }
    }

    /// <summary>Starts the loop unless it runs already; throws once the client is disposed.</summary>
    public void EnsureStarted()
    {
        lock (_sync)
        {
            StartUnlessRunning();
        }
    }

    /// <summary>Starts the loop if need be and waits for the current connection, or the next one while reconnecting.</summary>
    /// <param name="cancellationToken">Stops waiting (the loop keeps trying).</param>
    public Task<LiveConnection> WaitAsync(CancellationToken cancellationToken)
    {
        Task<LiveConnection> connected;
        lock (_sync)
        {
            StartUnlessRunning();
            connected = _connected.Task;
        }

        return connected.WaitAsync(cancellationToken);
    }

    /// <summary>Ends every subscription and stream, closes the connection and waits for the loop to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? run;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            run = _run;
            _connected = NewConnectionSource();
            _connected.SetException(new ObjectDisposedException(nameof(RealtimeHubClient)));
        }

        _onEnded(null);
        await _stopping.CancelAsync();
        if (run is not null)
        {
            await run;
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource<LiveConnection> NewConnectionSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void StartUnlessRunning()
    {
        ObjectDisposedException.ThrowIf(_disposed, typeof(RealtimeHubClient));
        _run ??= Task.Run(RunAsync, CancellationToken.None);
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var next = 0;
        var failures = 0;
        var outageStarted = Stopwatch.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            // Every attempt, after a failure or a close, goes to the next node: the last one may be gone for good.
            var endpoint = _endpoints[next];
            next = (next + 1) % _endpoints.Count;
            var live = new LiveConnection(
                endpoint, Interlocked.Increment(ref _generation), _options, _loggerFactory, _onEvent, (_, reset) => _onHistoryReset(reset), OnClosed);
            try
            {
                try
                {
                    await live.Hub.StartAsync(stopping);
                }
                catch (Exception error) when (!stopping.IsCancellationRequested)
                {
                    var delay = _options.ReconnectPolicy.NextRetryDelay(failures++, outageStarted, error);
                    if (delay is null)
                    {
                        GiveUp(error);
                        return;
                    }

                    ClientLog.ConnectFailed(_logger, endpoint.Hub, delay.Value, error);
                    await Task.Delay(delay.Value, stopping);
                    continue;
                }

                failures = 0;
                lock (_sync)
                {
                    // A connection that closed while starting, or after the client was disposed, never becomes current.
                    if (live.Generation > _closedGeneration && !_disposed)
                    {
                        _live = live;
                        _connected.TrySetResult(live);
                    }
                }

                ClientLog.Connected(_logger, endpoint.Hub);
                var rejoining = _onConnected(live);
                var reason = await live.Closed.WaitAsync(stopping);
                await rejoining;
                ClientLog.ConnectionLost(_logger, endpoint.Hub, reason);
                outageStarted = Stopwatch.GetTimestamp();
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                // Disposed: whatever the connection was doing (starting, open, closing) ends here.
                return;
            }
            finally
            {
                await live.DisposeAsync();
            }
        }
    }

    private void OnClosed(LiveConnection live, Exception? error)
    {
        lock (_sync)
        {
            _closedGeneration = Math.Max(_closedGeneration, live.Generation);
            if (_live == live)
            {
                _live = null;
                if (!_disposed)
                {
                    _connected = NewConnectionSource();
                }
            }
        }
    }

    private void GiveUp(Exception error)
    {
        ClientLog.GaveUp(_logger, error);
        lock (_sync)
        {
            _connected.TrySetException(error);
        }

        _onEnded(error);
    }
}
