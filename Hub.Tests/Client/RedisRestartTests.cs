using System.Net;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Bom;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>Redis going away and coming back costs the typed client no event and gives it none twice.</summary>
public sealed class RedisRestartTests
{
    [Theory]
    [InlineData(RealtimeHubProtocol.MessagePack)]
    [InlineData(RealtimeHubProtocol.Json)]
    public async Task A_client_ends_with_exactly_the_accepted_events_once_and_in_order_across_a_redis_restart(RealtimeHubProtocol protocol)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodeA = await HubNode.StartAsync(redis.ConnectionString);
        await using var nodeB = await HubNode.StartAsync(redis.ConnectionString);
        var options = ClientTestKit.Options(protocol, nodeA, nodeB);
        await using var client = new RealtimeHubClient(options);
        using var publisher = new RealtimeHubPublisher(ClientTestKit.Options(protocol, nodeB));
        var topic = Topic.Bom(Unique.Id());
        var received = new Received<BomEnrichmentEvent>();
        await using var subscription = await client.SubscribeAsync<BomEnrichmentEvent>(topic, received.Handle);
        var probeTopic = Topic.Bom(Unique.Id());
        var probes = new Received<BomEnrichmentEvent>();
        await using var probing = await client.SubscribeAsync<BomEnrichmentEvent>(probeTopic, probes.Handle);

        var accepted = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            accepted.Add(await nodeB.PublishOkAsync(topic.ToString(), EventTypes.EnrichmentProgress, SampleData.BomProgress(topic.Id, i)));
        }

        await received.WaitForCountAsync(accepted.Count);

        await redis.StopAsync();
        using (var refused = await nodeB.PublishAsync(topic.ToString(), EventTypes.EnrichmentProgress, SampleData.BomProgress(topic.Id, 50)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        await redis.StartAgainAsync();

        // Node A's backplane subscription comes back a moment after Redis does, and what is published before
        // then never reaches its connections live nor tells them to resume (a hub gap, not the client's), so
        // the events after the restart wait until a probe on another topic of the same connection gets through.
        var probe = 0;
        do
        {
            await publisher.PublishAsync(probeTopic, EventTypes.EnrichmentProgress, SampleData.BomProgress(probeTopic.Id, probe++ % 100));
        }
        while (!await ClientTestKit.HoldsWithinAsync(() => probes.Count > 0, TimeSpan.FromMilliseconds(500)));

        // The publisher retries each 503 with the same idempotency key until the nodes have Redis back.
        for (var i = 20; i < 40; i++)
        {
            accepted.Add(await publisher.PublishAsync(topic, EventTypes.EnrichmentProgress, SampleData.BomProgress(topic.Id, i)));
        }

        await received.WaitForCountAsync(accepted.Count);
        Assert.Equal(accepted, received.Ids);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (double)i), received.Events.Select(e => e.Data.State!.PercentComplete!.Value));
    }
}
