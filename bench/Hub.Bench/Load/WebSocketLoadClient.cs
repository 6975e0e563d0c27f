using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Bench.Accounting;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// A SignalR client over WebSockets (negotiation skipped), JSON or MessagePack, following one topic with
/// <c>Subscribe(topic, lastEventId)</c>. The hub joins the group, then reads the history, so an event
/// stored just before the read can come both in <c>Subscribe</c>'s result and live, even after the result;
/// the contract has the client drop ids it already has (as the typed client does). This client does that
/// for exactly those events, ids up to the newest one <c>Subscribe</c> returned, and counts them as
/// overlaps; every other repeat is a duplicate.
/// </summary>
internal sealed class WebSocketLoadClient(
    Uri hubUrl, HttpMessageInvoker invoker, bool messagePack, string topic, ClientAccount account, LoadErrors errors, TimeSpan serverTimeout) : ILoadClient
{
    private readonly Lock _gate = new();
    private readonly List<EventEnvelope> _early = [];
    private HubConnection? _connection;
    private ClientWebSocket? _socket;
    private bool _subscribing;
    private HubEventId? _replayedThrough;
    private volatile bool _dropped;

    public event Action<ILoadClient>? ClosedByServer;

    public string Transport => "websocket";

    public ClientAccount Account => account;

    public TimeSpan ConnectTime { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        _dropped = false;
        var builder = new HubConnectionBuilder().WithUrl(hubUrl, options =>
        {
            options.Transports = HttpTransportType.WebSockets;
            options.SkipNegotiation = true;
            options.WebSocketFactory = async (context, token) =>
            {
                // The shared invoker binds each socket to the next loopback source address.
                var socket = new ClientWebSocket();
                await socket.ConnectAsync(context.Uri, invoker, token);
                _socket = socket;
                return socket;
            };
        });
        if (messagePack)
        {
            builder.AddMessagePackProtocol(options => options.SerializerOptions = HubMessagePack.Options);
        }

        var connection = builder.Build();
        connection.ServerTimeout = serverTimeout;

        // The handshake may take as long as any other silence from a hub under load (the client's default is 15 s).
        connection.HandshakeTimeout = serverTimeout;
        connection.On<EventEnvelope>(nameof(IProgressClient.OnEvent), OnEvent);
        connection.Closed += error =>
        {
            // A connection the bench dropped or replaced may report its close late, after the next one began.
            if (!_dropped && ReferenceEquals(Volatile.Read(ref _connection), connection))
            {
                errors.Closed();
                ClosedByServer?.Invoke(this);
            }

            return Task.CompletedTask;
        };
        _connection = connection;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _subscribing = true;
            _early.Clear();
            _replayedThrough = null;
        }

        await connection.StartAsync(cancellationToken);
        var missed = await connection.InvokeAsync<List<EventEnvelope>>(
            nameof(IProgressHub.Subscribe), topic, account.LastEventId, cancellationToken);
        account.Subscribed();
        lock (_gate)
        {
            _replayedThrough = missed.Count == 0 ? null : HubEventId.Parse(missed[^1].Id);
            if (missed.Count == 0 && _early.Count == 0)
            {
                // The topic had no event when joined (or nothing since the last id): resume from its
                // beginning, as the typed client does, so nothing published while away is missed.
                account.Positioned(HubEventId.Beginning.ToString());
            }

            foreach (var envelope in missed.Concat(_early))
            {
                Deliver(envelope);
            }

            _early.Clear();
            _subscribing = false;
        }

        ConnectTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
    }

    public void Drop()
    {
        _dropped = true;
        _socket?.Abort();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopAsync()
    {
        if (_connection is { } connection)
        {
            _dropped = true;
            _connection = null;
            await connection.DisposeAsync();
        }

        _socket?.Dispose();
        _socket = null;
    }

    private void OnEvent(EventEnvelope envelope)
    {
        lock (_gate)
        {
            if (_subscribing)
            {
                _early.Add(envelope);
                return;
            }

            Deliver(envelope);
        }
    }

    /// <summary>Accounts one event, unless it is the overlap of the last resume; called under the lock.</summary>
    private void Deliver(EventEnvelope envelope)
    {
        var read = BenchEvent.FromData(envelope.Data, envelope.Id);
        if (_replayedThrough is { } replayed && HubEventId.Parse(envelope.Id) <= replayed && account.Ledger.HasSeen(read.Seq))
        {
            account.Overlap();
            return;
        }

        if (read.Seq >= 0)
        {
            account.Deliver(read.Seq, read.Sent, read.Id);
        }
    }
}
