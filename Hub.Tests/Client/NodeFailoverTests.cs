using RealtimeHub.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Client;

/// <summary>The typed client moves to another node when its node goes away, and resumes without a gap or a duplicate.</summary>
public sealed class NodeFailoverTests
{
    private const int EventCount = 1000;

    [Theory]
    [InlineData(RealtimeHubProtocol.MessagePack)]
    [InlineData(RealtimeHubProtocol.Json)]
    public async Task A_client_whose_node_stops_while_1000_events_are_published_gets_all_of_them_once_and_in_order_from_the_other_node(
        RealtimeHubProtocol protocol)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var nodeB = await HubNode.StartAsync(redis.ConnectionString);
        var nodeA = await HubNode.StartAsync(redis.ConnectionString);
        var nodeAStopped = false;
        try
        {
            await using var client = new RealtimeHubClient(ClientTestKit.Options(protocol, nodeA, nodeB));
            var received = new Received<BatchProgressData>();
            var topic = Topic.Batch(Unique.Id());
            await using var subscription = await client.SubscribeAsync<BatchProgressData>(topic, received.Handle);
            Assert.Equal(nodeA.HubUrl(), client.ConnectedUrl);

            // A steady stream through node B's HTTP API, one event every 2 ms at most.
            var published = new List<string>(EventCount);
            var publishing = Task.Run(async () =>
            {
                using var pace = new PeriodicTimer(TimeSpan.FromMilliseconds(2));
                for (var i = 0; i < EventCount; i++)
                {
                    await pace.WaitForNextTickAsync();
                    var id = await nodeB.PublishOkAsync(topic.ToString(), EventTypes.BatchProgress, SampleData.BatchProgress(i % 100));
                    lock (published)
                    {
                        published.Add(id);
                    }
                }
            });

            await received.WaitForCountAsync(EventCount / 5);
            await nodeA.DisposeAsync();
            nodeAStopped = true;
            await Eventually.WithinAsync(publishing.ContinueWith(_ => true, TaskScheduler.Default), "the publishing to finish", TimeSpan.FromSeconds(60));
            await publishing;
            await received.WaitForCountAsync(EventCount);

            Assert.Equal(published, received.Ids);
            Assert.Equal(Enumerable.Range(0, EventCount).Select(i => (double)(i % 100)), received.Events.Select(e => e.Data.ProgressPercentage!.Value));
            Assert.Equal(nodeB.HubUrl(), client.ConnectedUrl);
        }
        finally
        {
            if (!nodeAStopped)
            {
                await nodeA.DisposeAsync();
            }
        }
    }
}
