using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// One SignalR connection to one node, from start to close. It is never restarted: the client builds a
/// new one (perhaps to another node) and rejoins its topics, because the hub keeps no group membership
/// for a connection that comes back (dotnet/aspnetcore#23142).
/// </summary>
internal sealed class LiveConnection : IAsyncDisposable
{
    // The SignalR client raises Closed on the thread pool, possibly after DisposeAsync has returned: the
    // token source is cancelled and disposed under this lock, so a late Closed handler never finds it disposed.
    private readonly Lock _lostGate = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _lostDisposed;

    public LiveConnection(
        HubEndpoint endpoint,
        int generation,
        RealtimeHubClientOptions options,
        ILoggerFactory loggerFactory,
        Action<LiveConnection, EventEnvelope> onEvent,
        Action<LiveConnection, HistoryReset> onHistoryReset,
        Action<LiveConnection, Exception?> onClosed)
    {
        Endpoint = endpoint;
        Generation = generation;
        Lost = _lost.Token;
        // WebSockets without negotiating: one request per connection, served by the hub's own WebSocket
        // transport, which sends each message on the thread that delivers it.
        var builder = new HubConnectionBuilder()
            .WithUrl(endpoint.Hub, http =>
            {
                http.AccessTokenProvider = options.AccessTokenProvider;
                http.Transports = HttpTransportType.WebSockets;
                http.SkipNegotiation = true;
            });
        builder.Services.AddSingleton(loggerFactory);
        if (options.Protocol == RealtimeHubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol(messagePack => messagePack.SerializerOptions = HubMessagePack.Options);
        }

        Hub = builder.Build();

        // The SignalR client runs these handlers one at a time in arrival order, but not in step with the
        // results of invocations, so a topic's order comes from comparing ids, never from arrival position.
        Hub.On<EventEnvelope>(nameof(IProgressClient.OnEvent), envelope => onEvent(this, envelope));
        Hub.On<HistoryReset>(nameof(IProgressClient.OnHistoryReset), reset => onHistoryReset(this, reset));
        Hub.Closed += error =>
        {
            onClosed(this, error);
            CancelLost(dispose: false);
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public HubEndpoint Endpoint { get; }

    /// <summary>Counts connections from 1, so a topic can tell which connection has it joined.</summary>
    public int Generation { get; }

    public HubConnection Hub { get; }

    /// <summary>Cancelled once the connection has closed.</summary>
    public CancellationToken Lost { get; }

    /// <summary>Completes with the close reason (null for a clean close).</summary>
    public Task<Exception?> Closed => _closed.Task;

    public bool IsLost => _lost.IsCancellationRequested || Hub.State != HubConnectionState.Connected;

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        CancelLost(dispose: true);
    }

    private void CancelLost(bool dispose)
    {
        lock (_lostGate)
        {
            if (_lostDisposed)
            {
                return;
            }

            _lost.Cancel();
            if (dispose)
            {
                _lost.Dispose();
                _lostDisposed = true;
            }
        }
    }
}
