using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.EventPath;

[Collection(RedisClusterDefinition.Name)]
public sealed class BackplaneDeliveryTests(RedisCluster cluster)
{
    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task An_event_published_on_node_B_reaches_a_subscriber_on_node_A(HubProtocol protocol)
    {
        var topic = Topic.Bom(Unique.Id()).ToString();
        await using var client = cluster.NodeA.CreateConnection(protocol);
        var received = Channel.CreateUnbounded<EventEnvelope>();
        client.On<EventEnvelope>("OnEvent", e => received.Writer.TryWrite(e));
        await client.StartAsync();
        await client.InvokeAsync<EventEnvelope[]>("Subscribe", topic, null);

        var response = await cluster.NodeB.PublishAsync(topic, EventTypes.EnrichmentProgress, new
        {
            event_type = EventTypes.EnrichmentProgress,
            state = new { percent_complete = 52.0, enriched_items = 52, total_items = 100 },
        });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var envelope = await Eventually.WithinAsync(received.Reader.ReadAsync().AsTask(), "the event on node A");
        Assert.Equal(topic, envelope.Topic);
        Assert.Equal(EventTypes.EnrichmentProgress, envelope.Type);
        Assert.Equal(52.0, envelope.Data.GetProperty("state").GetProperty("percent_complete").GetDouble());
        Assert.Equal(52, envelope.Data.GetProperty("state").GetProperty("enriched_items").GetInt64());
    }
}
