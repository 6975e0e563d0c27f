using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Auth;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// A node with auth on (HS256 key, an API key and an audience) on one backend, with the clients every
/// bad-input case needs afterwards: an admin reader of topic histories, a watcher already subscribed
/// to a healthy topic (the "everyone else" who must keep being served) and a prober connection that
/// sends bad hub calls and must stay connected.
/// </summary>
public abstract class BadInputNodes(Backend backend) : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _watched = new();
    public HubNode Node { get; private set; } = null!;

    /// <summary>The topic the watcher follows; bad input never touches it.</summary>
    public string HealthyTopic { get; } = Topic.Batch(Unique.Id("healthy")).ToString();

    /// <summary>An admin hub connection that sends bad hub calls; it must stay connected.</summary>
    public HubConnection Prober { get; private set; } = null!;

    private HubConnection Admin { get; set; } = null!;

    private HubConnection Watcher { get; set; } = null!;

    public async Task InitializeAsync()
    {
        var redis = await backend.StartAsync();
        var settings = TestTokens.AuthSettings();
        settings["Auth:Audience"] = BadTokens.Audience;
        Node = await HubNode.StartAsync(redis, settings);
        Admin = await ConnectAsync(BadTokens.Valid("history-reader", roles: ["admin"]));
        Prober = await ConnectAsync(BadTokens.Valid("prober", roles: ["admin"]));
        Watcher = await ConnectAsync(BadTokens.Valid("watcher", topics: [HealthyTopic]));
        Watcher.On<EventEnvelope>(nameof(IProgressClient.OnEvent), e => _watched.Enqueue(e.Id));
        await Watcher.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), HealthyTopic, null);
        await PublishAsync(HealthyTopic, EventTypes.BatchProgress, new { stage = "processing" });
    }

    /// <summary>A started hub connection presenting <paramref name="token"/>.</summary>
    public async Task<HubConnection> ConnectAsync(string token)
    {
        var connection = Node.CreateConnection(configure: builder =>
            builder.Services.Configure<HttpConnectionOptions>(options => options.AccessTokenProvider = () => Task.FromResult<string?>(token)));
        await connection.StartAsync();
        return connection;
    }

    /// <summary>Publishes with the API key and returns the id, failing unless the hub answers 202.</summary>
    public async Task<string> PublishAsync(string topic, string type, object data)
    {
        using var response = await Caller.PublishAsync(Node, null, topic, type, data, TestTokens.ApiKey);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 for {topic}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// Nothing was stored in <paramref name="topic"/>: after a marker published now, the topic's whole
    /// history read by an admin holds exactly the marker.
    /// </summary>
    public async Task AssertNothingStoredAsync(string topic)
    {
        var parsed = Topic.Parse(topic);
        var marker = parsed.Family switch
        {
            TopicFamily.Merchant => await PublishAsync(topic, EventTypes.MerchantStage, new { stage = "marker" }),
            TopicFamily.Bom => await PublishAsync(topic, EventTypes.EnrichmentStarted, new { source = "marker" }),
            _ => await PublishAsync(topic, EventTypes.BatchProgress, new { stage = "marker" }),
        };

        var history = await Admin.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), topic, "0-1");
        await Admin.InvokeAsync(nameof(IProgressHub.Unsubscribe), topic);
        Assert.Equal([marker], history.Select(e => e.Id));
    }

    /// <summary>Everyone else is still served: the watcher, connected all along, receives a fresh event.</summary>
    public async Task AssertStillServingAsync()
    {
        var id = await PublishAsync(HealthyTopic, EventTypes.BatchProgress, new { stage = "processing", message = "still serving" });
        await Eventually.HoldsAsync(() => _watched.Contains(id), $"the watcher receives {id}");
        Assert.Equal(HubConnectionState.Connected, Watcher.State);
    }

    /// <summary>The prober, which sent bad input, is still connected and a good call on it works.</summary>
    public async Task AssertProberUsableAsync()
    {
        Assert.Equal(HubConnectionState.Connected, Prober.State);
        var latest = await Prober.InvokeAsync<EventEnvelope[]>(nameof(IProgressHub.Subscribe), HealthyTopic, null);
        Assert.Equal(HealthyTopic, Assert.Single(latest).Topic);
    }

    public async Task DisposeAsync()
    {
        await Watcher.DisposeAsync();
        await Prober.DisposeAsync();
        await Admin.DisposeAsync();
        await Node.DisposeAsync();
        await backend.DisposeAsync();
    }
}

/// <summary>The bad-input node on the embedded default.</summary>
public sealed class EmbeddedBadInputNodes() : BadInputNodes(new EmbeddedBackend());

/// <summary>The bad-input node on a real redis-server of its own.</summary>
public sealed class RedisBadInputNodes() : BadInputNodes(new RedisBackend());

[CollectionDefinition(Name)]
public sealed class EmbeddedBadInputDefinition : ICollectionFixture<EmbeddedBadInputNodes>
{
    public const string Name = "Bad input on the embedded default";
}

[CollectionDefinition(Name)]
public sealed class RedisBadInputDefinition : ICollectionFixture<RedisBadInputNodes>
{
    public const string Name = "Bad input on one redis-server";
}
