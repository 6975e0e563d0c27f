using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RealtimeHub.Tests.Failover;

/// <summary>
/// A Redis primary dies (SIGKILL) while two publishers, one through each of two nodes, keep publishing
/// and retrying 503s with idempotency keys. The deployment promotes a replica and the hub follows by
/// itself; with <c>Redis:ReplicasToAcknowledge</c> 1 every event answered 202, before, during and after,
/// is in the history, and every subscriber on both nodes (SignalR JSON and MessagePack, <c>/api/sse</c>)
/// gets each once, in order, on the connection it opened before the failover. The test output says how
/// long after the kill publishing was answered again (a report, not a bound).
/// </summary>
public abstract class FailoverScenarios : IAsyncLifetime
{
    private readonly Func<Task<IReplicatedRedis>> _start;
    private readonly ITestOutputHelper _output;
    private IReplicatedRedis _redis = null!;
    private HubNode _nodeA = null!;
    private HubNode _nodeB = null!;

    protected FailoverScenarios(Func<Task<IReplicatedRedis>> start, ITestOutputHelper output)
    {
        _start = start;
        _output = output;
    }

    public async Task InitializeAsync()
    {
        _redis = await _start();
        // However long the failover takes on a busy machine, the history keeps every event published meanwhile.
        var settings = new Dictionary<string, string?>
        {
            ["Redis:ReplicasToAcknowledge"] = "1",
            ["History:MaxEventsPerTopic"] = "1000000",
        };
        _nodeA = await HubNode.StartAsync(_redis.ConnectionString, settings);
        _nodeB = await HubNode.StartAsync(_redis.ConnectionString, settings);
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task When_the_primary_dies_mid_publish_no_acknowledged_event_is_lost_and_no_connection_closes()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var nodes = new[] { _nodeA, _nodeB };
        var clients = new List<HubClient>();
        var streams = new List<SseTestClient>();
        var closed = 0;
        try
        {
            foreach (var node in nodes)
            {
                foreach (var protocol in (HubProtocol[])[HubProtocol.Json, HubProtocol.MessagePack])
                {
                    var client = await HubClient.ConnectAsync(node, protocol);
                    client.Connection.Closed += _ =>
                    {
                        Interlocked.Increment(ref closed);
                        return Task.CompletedTask;
                    };
                    await client.SubscribeAsync(topic);
                    clients.Add(client);
                }

                streams.Add(await SseTestClient.OpenAsync(node, $"/api/sse?topic={topic}"));
            }

            var accepted = new List<string>();
            var clock = Stopwatch.StartNew();
            var killedAt = TimeSpan.MaxValue;
            var firstAcceptedAfterKill = TimeSpan.MaxValue;
            using var stop = new CancellationTokenSource();
            var acceptedSince = new int[nodes.Length];
            var publishers = nodes.Select((node, n) => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var sentAt = clock.Elapsed;
                    var id = await node.PublishUntilAcceptedAsync(
                        topic, EventTypes.BatchProgress, SampleData.BatchProgress(i % 100), string.Create(CultureInfo.InvariantCulture, $"publisher-{n}-{i}"));
                    lock (accepted)
                    {
                        accepted.Add(id);
                        if (sentAt > killedAt && clock.Elapsed < firstAcceptedAfterKill)
                        {
                            firstAcceptedAfterKill = clock.Elapsed;
                        }
                    }

                    Interlocked.Increment(ref acceptedSince[n]);
                }
            })).ToArray();

            await Eventually.HoldsAsync(() => acceptedSince.All(c => c >= 20), "both publishers are publishing");
            await _redis.KillPrimaryOfAsync(topic);
            lock (accepted)
            {
                killedAt = clock.Elapsed;
            }

            Array.Clear(acceptedSince);
            await _redis.WaitForFailoverAsync();
            await Eventually.HoldsAsync(
                () => acceptedSince.All(c => c >= 20), "both publishers have 20 events accepted after the failover", TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
            await Task.WhenAll(publishers);

            List<string> expected;
            lock (accepted)
            {
                expected = [.. accepted.OrderBy(HubEventId.Parse)];
                _output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{GetType().Name}: publishing was answered again {(firstAcceptedAfterKill - killedAt).TotalSeconds:0.0} s after the primary was killed; {expected.Count} events acknowledged."));
            }

            // Every acknowledged event survived the old primary: a new subscriber reads them all from the history.
            await using (var reader = await HubClient.ConnectAsync(_nodeA))
            {
                Assert.Equal(expected, (await reader.SubscribeAsync(topic, "0-1")).Select(e => e.Id));
            }

            // And every subscriber got each once, in order, on the connection it had before.
            var timeout = TimeSpan.FromSeconds(30);
            foreach (var client in clients)
            {
                await Eventually.HoldsAsync(() => client.EventCount >= expected.Count, "every SignalR client has every event", timeout);
                Assert.Equal(expected, client.Events.Select(e => e.Id));
                Assert.Empty(client.Resets);
                Assert.Equal(HubConnectionState.Connected, client.Connection.State);
            }

            foreach (var stream in streams)
            {
                Assert.Equal(expected, (await stream.TakeAsync(expected.Count)).Select(SseTestClient.EventIdOf));
                Assert.False(stream.Ended.IsCompleted, "An SSE stream was closed.");
            }

            Assert.Equal(0, Volatile.Read(ref closed));
        }
        finally
        {
            foreach (var client in clients)
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

/// <summary>The failover on a primary, a replica and three sentinels.</summary>
public sealed class SentinelFailoverTests(ITestOutputHelper output) : FailoverScenarios(async () => await SentinelDeployment.StartAsync(), output);

/// <summary>The failover on a Redis Cluster of three primaries with one replica each.</summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output) : FailoverScenarios(async () => await RedisClusterDeployment.StartAsync(), output);
