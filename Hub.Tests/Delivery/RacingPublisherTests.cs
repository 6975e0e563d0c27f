using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Client;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// Publishers racing on one topic through two nodes: the backplane may hand a node the topic's events
/// out of id order, and each node puts them back in order before any subscriber sees them.
/// </summary>
[Collection(RedisClusterDefinition.Name)]
public sealed class RacingPublisherTests(RedisCluster cluster)
{
    private const int PublishersPerNode = 2;
    private const int EventsPerPublisher = 600;

    [Fact]
    public async Task Four_publishers_through_two_nodes_reach_every_subscriber_on_every_node_once_and_in_id_order()
    {
        var batchId = Unique.Id();
        var topic = Topic.Batch(batchId).ToString();
        var nodes = new[] { cluster.NodeA, cluster.NodeB };
        var hubClients = new List<HubClient>();
        var streams = new List<SseTestClient>();
        await using var typed = new RealtimeHubClient(ClientTestKit.Options(RealtimeHubProtocol.MessagePack, cluster.NodeB));
        var typedReceived = new Received<BatchProgressData>();
        try
        {
            foreach (var node in nodes)
            {
                foreach (var protocol in (HubProtocol[])[HubProtocol.Json, HubProtocol.MessagePack])
                {
                    var client = await HubClient.ConnectAsync(node, protocol);
                    await client.SubscribeAsync(topic);
                    hubClients.Add(client);
                }

                streams.Add(await SseTestClient.OpenAsync(node, $"/api/sse?topic={topic}"));
            }

            await using var subscription = await typed.SubscribeBatchAsync(batchId, typedReceived.Handle);

            var accepted = new ConcurrentBag<string>();
            await Task.WhenAll(nodes.SelectMany(node => Enumerable.Range(0, PublishersPerNode).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < EventsPerPublisher; i++)
                {
                    using var response = await node.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i % 100));
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                    accepted.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
                }
            }))));

            List<string> expected = [.. accepted.OrderBy(HubEventId.Parse)];
            Assert.Equal(nodes.Length * PublishersPerNode * EventsPerPublisher, expected.Count);
            var timeout = TimeSpan.FromSeconds(60);
            foreach (var client in hubClients)
            {
                await Eventually.HoldsAsync(() => client.EventCount >= expected.Count, "a SignalR client has every event", timeout);
                Assert.Equal(expected, client.Events.Select(e => e.Id));
            }

            foreach (var stream in streams)
            {
                var received = await stream.TakeAsync(expected.Count);
                Assert.Equal(expected, received.Select(SseTestClient.EventIdOf));
            }

            await typedReceived.WaitForCountAsync(expected.Count, timeout);
            Assert.Equal(expected, typedReceived.Ids);
        }
        finally
        {
            foreach (var client in hubClients)
            {
                await client.DisposeAsync();
            }

            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
