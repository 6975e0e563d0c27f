using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Serialization;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// A started real SignalR client that records every event and history reset the hub sends it. It opens
/// its WebSocket without negotiating, as the typed client does (the hub's own WebSocket transport), unless
/// told to negotiate (SignalR's HTTP connection layer).
/// </summary>
public sealed class HubClient : IAsyncDisposable
{
    private readonly ConcurrentQueue<EventEnvelope> _events = new();
    private readonly ConcurrentQueue<HistoryReset> _resets = new();
    private readonly RecordingProtocol _wire;

    private HubClient(HubNode node, HubProtocol protocol, bool negotiate)
    {
        _wire = new RecordingProtocol(protocol == HubProtocol.MessagePack
            ? new MessagePackHubProtocol(Options.Create(new MessagePackHubProtocolOptions { SerializerOptions = HubMessagePack.Options }))
            : new JsonHubProtocol());
        Connection = node.CreateConnection(protocol, builder => builder.Services.AddSingleton<IHubProtocol>(_wire), negotiate);
        Connection.On<EventEnvelope>(nameof(IProgressClient.OnEvent), _events.Enqueue);
        Connection.On<HistoryReset>(nameof(IProgressClient.OnHistoryReset), _resets.Enqueue);
    }

    public HubConnection Connection { get; }

    /// <summary>The live events received so far, in arrival order.</summary>
    public IReadOnlyList<EventEnvelope> Events => [.. _events];

    /// <summary>How many live events have arrived so far.</summary>
    public int EventCount => _events.Count;

    /// <summary>The history resets received so far.</summary>
    public IReadOnlyList<HistoryReset> Resets => [.. _resets];

    /// <summary>Invocation targets and <see cref="RecordingProtocol.Completion"/>s in the order they came off the wire.</summary>
    public IReadOnlyList<string> Arrivals => _wire.Arrivals;

    public static async Task<HubClient> ConnectAsync(HubNode node, HubProtocol protocol = HubProtocol.Json, bool negotiate = false)
    {
        var client = new HubClient(node, protocol, negotiate);
        await client.Connection.StartAsync();
        return client;
    }

    /// <summary>Calls <c>Subscribe</c> and returns the events it replays.</summary>
    public Task<IReadOnlyList<EventEnvelope>> SubscribeAsync(string topic, string? lastEventId = null) =>
        Connection.InvokeAsync<IReadOnlyList<EventEnvelope>>(nameof(IProgressHub.Subscribe), topic, lastEventId);

    /// <summary>Waits until the live event <paramref name="id"/> has arrived.</summary>
    public Task WaitForEventAsync(string id, TimeSpan? timeout = null) =>
        Eventually.HoldsAsync(() => _events.Any(e => e.Id == id), $"event {id} reaches the client", timeout);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
