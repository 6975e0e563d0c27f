using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using RealtimeHub.Server.Delivery;

namespace RealtimeHub.Server.WebSockets;

/// <summary>
/// A SignalR connection over one accepted WebSocket, served by the hub itself instead of SignalR's
/// HTTP connection layer. Everything is sent on the writing thread, without a pipe or a thread hop per
/// message: a member's outbox hands each relayed message, already serialised, straight to the WebSocket
/// (<see cref="ISerializedMessageSender"/>), and what SignalR writes itself (the handshake, pings,
/// invocation results) is sent at each flush of its output (<see cref="WebSocketMessageWriter"/>). Each
/// is a whole WebSocket message, and the WebSocket sends one at a time, so neither splits the other. A
/// socket that pushes back makes the send pend (the outbox then queues and cuts the member off past its
/// limit). Received frames go through an input pipe to SignalR's hub dispatcher as usual.
/// </summary>
internal sealed partial class HubWebSocketConnection : ConnectionContext, IFeatureCollection,
    IConnectionIdFeature, IConnectionItemsFeature, IConnectionTransportFeature, IConnectionUserFeature,
    IConnectionLifetimeFeature, IConnectionHeartbeatFeature, IHttpContextFeature, IHttpTransportFeature, ITransferFormatFeature,
    ISerializedMessageSender
{
    /// <summary>The features this connection implements itself.</summary>
    private static readonly Type[] OwnFeatures =
    [
        typeof(IConnectionIdFeature), typeof(IConnectionItemsFeature), typeof(IConnectionTransportFeature), typeof(IConnectionUserFeature),
        typeof(IConnectionLifetimeFeature), typeof(IConnectionHeartbeatFeature), typeof(IHttpContextFeature), typeof(IHttpTransportFeature),
        typeof(ITransferFormatFeature), typeof(ISerializedMessageSender),
    ];

    private readonly WebSocket _socket;
    private readonly HttpConnectionDispatcherOptions _options;
    private readonly ILogger _logger;
    private readonly Pipe _input;
    private readonly WebSocketMessageWriter _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly DateTimeOffset _authenticationExpires;
    private FeatureCollection? _otherFeatures;
    private IDictionary<object, object?>? _items;
    /// <summary>Guards the heartbeat registrations and the count of pending sends.</summary>
    private readonly Lock _gate = new();
    private (Action<object> Action, object State)[] _heartbeats = [];
    private long _sendStarted;
    private int _pendingSends;
    private volatile bool _aborted;
    private bool _receiveEnded;

    public HubWebSocketConnection(HttpContext httpContext, WebSocket socket, Settings settings, ILogger logger)
    {
        var options = settings.Options;
        HttpContext = httpContext;
        _socket = socket;
        _options = options;
        _logger = logger;
        ConnectionId = NewConnectionId();
        User = httpContext.User;
        _authenticationExpires = options.CloseOnAuthenticationExpiration
            ? httpContext.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc ?? DateTimeOffset.MaxValue
            : DateTimeOffset.MaxValue;

        _output = new WebSocketMessageWriter(this);
        _input = new Pipe(settings.InputPipe);
        Transport = new DuplexPipe(_input.Reader, _output);
    }

    public override string ConnectionId { get; set; }

    /// <summary>The connection answers for its own features; any other set on it goes to a collection made then.</summary>
    public override IFeatureCollection Features => this;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    bool IFeatureCollection.IsReadOnly => false;

    int IFeatureCollection.Revision => _otherFeatures?.Revision ?? 0;

    object? IFeatureCollection.this[Type key]
    {
        get => _otherFeatures?[key] ?? (Array.IndexOf(OwnFeatures, key) >= 0 ? this : null);
        set => (_otherFeatures ??= new FeatureCollection())[key] = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public ClaimsPrincipal? User { get; set; }

    public HttpContext? HttpContext { get; set; }

    public HttpTransportType TransportType => HttpTransportType.WebSockets;

    public TransferFormat SupportedFormats => TransferFormat.Binary | TransferFormat.Text;

    public TransferFormat ActiveFormat { get; set; } = TransferFormat.Text;

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    TFeature? IFeatureCollection.Get<TFeature>() where TFeature : default => (TFeature?)((IFeatureCollection)this)[typeof(TFeature)];

    void IFeatureCollection.Set<TFeature>(TFeature? instance) where TFeature : default => ((IFeatureCollection)this)[typeof(TFeature)] = instance;

    IEnumerator<KeyValuePair<Type, object>> IEnumerable<KeyValuePair<Type, object>>.GetEnumerator()
    {
        foreach (var own in OwnFeatures)
        {
            if (_otherFeatures?[own] is null)
            {
                yield return new(own, this);
            }
        }

        foreach (var other in _otherFeatures ?? Enumerable.Empty<KeyValuePair<Type, object>>())
        {
            yield return other;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<Type, object>>)this).GetEnumerator();

    /// <summary>
    /// Runs the connection: <paramref name="application"/> (SignalR's hub handler) followed by the close
    /// frame, and the receive loop on this method's own frame, until both sides are done. The connection
    /// is on <paramref name="heartbeat"/> meanwhile, and the socket is disposed at the end.
    /// </summary>
    public async Task RunAsync(Func<ConnectionContext, Task> application, ConnectionHeartbeat heartbeat)
    {
        heartbeat.Add(this);
        try
        {
            var serving = ServeThenCloseAsync(application);
            var writer = _input.Writer;
            try
            {
                while (true)
                {
                    // A zero-byte read first, so an idle connection holds no buffer.
                    // No cancellation token: an abort aborts the socket, which ends a pending receive.
                    var peek = await _socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                    if (peek.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    var received = await _socket.ReceiveAsync(writer.GetMemory(), CancellationToken.None);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    writer.Advance(received.Count);
                    var flushed = await writer.FlushAsync();
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        break;
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
            {
                // The client went away without a close handshake, or the connection was aborted.
            }
            finally
            {
                writer.Complete();
            }

            Volatile.Write(ref _receiveEnded, true);

            // The client left or closed first: the hub sees its input end and gets the close timeout to finish.
            await WithinCloseTimeout(serving);
            await serving;
            _closed.Cancel();
        }
        finally
        {
            heartbeat.Remove(this);
            _socket.Dispose();
        }
    }

    /// <summary>Ends the connection at once: the socket is aborted, which ends a pending receive or send.</summary>
    public override void Abort(ConnectionAbortedException abortReason)
    {
        _aborted = true;
        _socket.Abort();
        _closed.Cancel();
    }

    /// <summary>Registers what to run every tick; SignalR registers its keep-alive and, separately, its client timeout.</summary>
    public void OnHeartbeat(Action<object> action, object state)
    {
        lock (_gate)
        {
            _heartbeats = [.. _heartbeats, (action, state)];
        }
    }

    /// <summary>Called once a second by <see cref="ConnectionHeartbeat"/>: keep-alive, send timeout, authentication expiry.</summary>
    public void Tick(DateTimeOffset now, long nowTicks)
    {
        if (_aborted)
        {
            return;
        }

        if (now >= _authenticationExpires)
        {
            LogAuthenticationExpired(_logger, ConnectionId);
            Abort(new ConnectionAbortedException("The connection's authentication expired."));
            return;
        }

        var sendStarted = Volatile.Read(ref _sendStarted);
        if (sendStarted != 0 && nowTicks - sendStarted > (long)_options.TransportSendTimeout.TotalMilliseconds)
        {
            LogSendTimedOut(_logger, ConnectionId);
            Abort(new ConnectionAbortedException("A send to the client did not complete in time."));
            return;
        }

        foreach (var (action, state) in Volatile.Read(ref _heartbeats))
        {
            action(state);
        }
    }

    private async Task ServeThenCloseAsync(Func<ConnectionContext, Task> application)
    {
        try
        {
            await application(this);
        }
        finally
        {
            // What the hub did not complete ends with it.
            _output.Complete();
            _input.Reader.Complete();
        }

        if (CanSend && !_aborted)
        {
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, string.Empty, CancellationToken.None);
            }
            catch (Exception)
            {
                // The client is gone; the receive loop ends too.
            }
        }

        if (!Volatile.Read(ref _receiveEnded))
        {
            // The hub finished first: the client gets the close timeout to answer, which ends the receive loop.
            _ = AbortUnlessReceiveEndsAsync();
        }
    }

    private async Task AbortUnlessReceiveEndsAsync()
    {
        await Task.Delay(_options.WebSockets.CloseTimeout);
        if (!Volatile.Read(ref _receiveEnded))
        {
            // Stuck in a receive from a client that does not answer.
            Abort(new ConnectionAbortedException("The WebSocket did not close in time."));
        }
    }

    /// <summary>
    /// Sends one message in the connection's protocol (an outbox's, or what SignalR flushed) as a whole
    /// WebSocket message; a send that pends is timed by the heartbeat, and a failed one aborts the connection.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> serialized)
    {
        ValueTask send;
        try
        {
            send = _aborted
                ? throw new ConnectionAbortedException("The connection was aborted.")
                : _socket.SendAsync(serialized, MessageType, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception ex)
        {
            send = ValueTask.FromException(ex);
        }

        return send.IsCompletedSuccessfully ? default : AwaitPendingSendAsync(send);
    }

    private WebSocketMessageType MessageType => ActiveFormat == TransferFormat.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;

    /// <summary>
    /// Awaits a send that pends, timed by the heartbeat from when the socket last made progress (SignalR's
    /// and an outbox's sends may pend together, and one completing restarts the clock of the other); a
    /// failed send aborts the connection.
    /// </summary>
    private async ValueTask AwaitPendingSendAsync(ValueTask send)
    {
        lock (_gate)
        {
            if (_pendingSends++ == 0)
            {
                Volatile.Write(ref _sendStarted, Environment.TickCount64);
            }
        }

        try
        {
            await send;
        }
        catch (Exception ex)
        {
            if (!_aborted)
            {
                LogSendFailed(_logger, ConnectionId, ex);
                Abort(new ConnectionAbortedException("Sending to the WebSocket failed.", ex));
            }

            throw;
        }
        finally
        {
            lock (_gate)
            {
                Volatile.Write(ref _sendStarted, --_pendingSends == 0 ? 0 : Environment.TickCount64);
            }
        }
    }

    private bool CanSend => _socket.State is not (WebSocketState.Aborted or WebSocketState.Closed or WebSocketState.CloseSent);

    private async Task WithinCloseTimeout(Task side)
    {
        try
        {
            await side.WaitAsync(_options.WebSockets.CloseTimeout);
        }
        catch (TimeoutException)
        {
            // Stuck in a send to a client that does not read.
            Abort(new ConnectionAbortedException("The WebSocket did not close in time."));
            await side;
        }
    }

    private static string NewConnectionId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return WebEncoders.Base64UrlEncode(bytes);
    }

    [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId}: sending to the WebSocket failed.")]
    private static partial void LogSendFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId}: a send did not complete within the send timeout; the connection is closed.")]
    private static partial void LogSendTimedOut(ILogger logger, string connectionId);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId}: its authentication expired; the connection is closed.")]
    private static partial void LogAuthenticationExpired(ILogger logger, string connectionId);

    /// <summary>What every connection of one endpoint shares: SignalR's options for the route and the input pipe's options made from them.</summary>
    public sealed class Settings(HttpConnectionDispatcherOptions options)
    {
        public HttpConnectionDispatcherOptions Options => options;

        public PipeOptions InputPipe { get; } = new(
            pauseWriterThreshold: options.ApplicationMaxBufferSize,
            resumeWriterThreshold: options.ApplicationMaxBufferSize / 2,
            useSynchronizationContext: false);
    }
}
