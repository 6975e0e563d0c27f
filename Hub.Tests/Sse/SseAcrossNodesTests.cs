using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>SSE connections are hub connections: the Redis backplane delivers to them on every node.</summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class SseAcrossNodesTests(RedisCluster cluster)
{
    [Fact]
    public async Task An_sse_stream_on_node_A_receives_what_is_published_on_node_B()
    {
        var bom = Unique.Id();
        await using var enrichment = await SseTestClient.OpenAsync(cluster.NodeA, $"/api/enrichment/stream/{bom}");
        await using var envelopes = await SseTestClient.OpenAsync(cluster.NodeA, $"/api/sse?topic=bom:{bom}");
        Assert.Equal("connected", (await enrichment.NextAsync()).EventType);

        var id = await PublishAsync(cluster.NodeB, $"bom:{bom}", 25);

        var frame = await enrichment.NextAsync();
        Assert.Equal((EventTypes.EnrichmentProgress, id), (frame.EventType, frame.EventId));
        Assert.Equal(id, JsonDocument.Parse((await envelopes.NextAsync()).Data).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_stream_resumed_on_the_other_node_misses_nothing_and_repeats_nothing()
    {
        var bom = Unique.Id();
        string last;
        await using (var onA = await SseTestClient.OpenAsync(cluster.NodeA, $"/api/enrichment/stream/{bom}"))
        {
            await onA.NextAsync();
            await PublishAsync(cluster.NodeB, $"bom:{bom}", 1);
            last = (await onA.TakeAsync(2))[^1].EventId!;
        }

        var missed = new List<string>();
        for (var i = 2; i < 22; i++)
        {
            missed.Add(await PublishAsync(cluster.NodeA, $"bom:{bom}", i));
        }

        await using var onB = await SseTestClient.OpenAsync(cluster.NodeB, $"/api/enrichment/stream/{bom}", lastEventId: last);
        await onB.NextAsync();
        var frames = await onB.TakeAsync(missed.Count * 2);
        Assert.Equal(missed, frames.Where(f => f.EventType == EventTypes.EnrichmentProgress).Select(f => f.EventId));
    }

    /// <summary>
    /// The trap in docs/architecture.md (SSE as hub connections): the backplane serialises a message once per protocol the publishing node knows.
    /// A node that lacks the SSE protocol sends no bytes for it, so SignalR aborts the SSE connection on
    /// the receiving node instead of writing. With the protocol registered (every real node), it arrives.
    /// </summary>
    [Fact]
    public async Task An_sse_stream_gets_messages_only_from_nodes_that_register_the_sse_protocol()
    {
        await using var withoutSse = await HubNode.StartAsync(cluster.Redis.ConnectionString, services: services =>
            services.RemoveAll<IHubProtocol>().AddSingleton<IHubProtocol, JsonHubProtocol>());
        var batch = Unique.Id();

        await using var stream = await SseTestClient.OpenAsync(cluster.NodeA, $"/api/batches/{batch}/stream");
        var registered = await PublishAsync(cluster.NodeB, $"batch:{batch}", 10, "batch");
        Assert.Equal(registered, (await stream.NextAsync()).EventId);

        await PublishAsync(withoutSse, $"batch:{batch}", 20, "batch");
        await stream.WaitForEndAsync();
        Assert.Empty(stream.Drain());
    }

    private static async Task<string> PublishAsync(HubNode node, string topic, double percent, string family = "bom")
    {
        var id = topic[(topic.IndexOf(':', StringComparison.Ordinal) + 1)..];
        using var response = family == "bom"
            ? await node.PublishAsync(topic, EventTypes.EnrichmentProgress, SampleData.BomProgress(id, percent))
            : await node.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(percent));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}
