using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Delivery;

/// <summary>
/// No watcher can hold up another: three SignalR WebSocket members whose sockets stop reading delay
/// neither the publisher nor the healthy members (SSE routes, SignalR JSON and MessagePack), are cut
/// off at the byte limit, and resume without a gap. One suite, run on the embedded default and through
/// Redis, on one node and across two.
/// </summary>
public abstract class StalledMemberScenarios(Backend backend, int nodes) : IAsyncLifetime
{
    private const int Events = 200;
    private const int StalledMembers = 3;

    // The publisher stays at most this many events (256 KB) ahead of the slowest healthy member, so on a
    // busy test machine no healthy member nears the 1 MiB limit, while a stalled one passes it.
    private const int Window = 8;

    // 32 KB per event, 6.4 MB per member: far past a stalled socket's buffers and the 1 MiB limit.
    private static readonly string Padding = new('x', 32_000);

    private readonly List<HubNode> _nodes = [];

    private HubNode Publisher => _nodes[0];

    private HubNode Members => _nodes[^1];

    public async Task InitializeAsync()
    {
        var redis = await backend.StartAsync();
        for (var i = 0; i < nodes; i++)
        {
            _nodes.Add(await HubNode.StartAsync(redis));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await backend.DisposeAsync();
    }

    [Fact]
    public async Task Three_stalled_members_hold_up_neither_the_publisher_nor_the_healthy_members_and_resume_without_a_gap()
    {
        using var metrics = new NodeMetrics(Members);
        var baseline = await RunAsync(stalled: 0);
        var run = await RunAsync(stalled: StalledMembers);

        // Hub.Bench measures the 1.2x goal; here the bound only has to tell "not held up" from "held up"
        // (before bounded delivery: publishes waited up to 10 s each, and through Redis the topic froze) on
        // a test machine that runs other suites at the same time: a quiet baseline run followed by a run
        // that meets another suite's burst must not look held up, so the slack is wide of noise and still
        // well inside one held-up publish.
        Assert.True(
            run.AllDelivered <= (baseline.AllDelivered * 3) + TimeSpan.FromSeconds(5),
            $"With {StalledMembers} stalled members the healthy ones had everything after {run.AllDelivered.TotalMilliseconds:F0} ms; without, {baseline.AllDelivered.TotalMilliseconds:F0} ms.");
        Assert.True(
            run.SlowestPublish <= (baseline.SlowestPublish * 4) + TimeSpan.FromSeconds(3),
            $"With stalled members the slowest publish took {run.SlowestPublish.TotalMilliseconds:F0} ms; without, {baseline.SlowestPublish.TotalMilliseconds:F0} ms.");

        foreach (var stalled in run.Stalled)
        {
            // Reading again, the client finds its connection closed by the server: it was cut off.
            stalled.Resume();
            await Eventually.WithinAsync(stalled.Closed.ContinueWith(_ => true, TaskScheduler.Default), "the server to close a stalled member");
            var seen = stalled.Events;
            Assert.True(seen.Count < Events, $"A stalled member was not cut off: it read all {seen.Count} events.");
            Assert.Equal(run.Ids.Take(seen.Count), seen.Select(e => e.Id));

            // Subscribing again with its last id, it gets exactly the rest.
            await using var resumed = await HubClient.ConnectAsync(Members);
            var rest = await resumed.SubscribeAsync(run.Topic, seen.Count == 0 ? null : seen[^1].Id);
            var all = seen.Concat(rest).Select(e => e.Id).ToList();
            Assert.Equal(run.Ids, seen.Count == 0 ? [.. run.Ids.Take(Events - rest.Count), .. all] : all);
        }

        // Each cut-off is counted once, under its transport, on the node that made it.
        Assert.Equal(StalledMembers, metrics.Sum("realtimehub.slow_consumers.closed", ("transport", "websocket")));
        Assert.Equal(0, metrics.Sum("realtimehub.slow_consumers.closed", ("transport", "sse")));

        foreach (var stalled in run.Stalled)
        {
            await stalled.DisposeAsync();
        }
    }

    private async Task<Run> RunAsync(int stalled)
    {
        var batch = Unique.Id();
        var topic = $"batch:{batch}";
        var sse = new List<SseTestClient>();
        var hub = new List<HubClient>();
        var stalledClients = new List<StallableHubClient>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                sse.Add(await SseTestClient.OpenAsync(Members, $"/api/sse?topic={topic}"));
            }

            foreach (var protocol in (HubProtocol[])[HubProtocol.Json, HubProtocol.Json, HubProtocol.MessagePack, HubProtocol.MessagePack])
            {
                var client = await HubClient.ConnectAsync(Members, protocol);
                await client.SubscribeAsync(topic);
                hub.Add(client);
            }

            for (var i = 0; i < stalled; i++)
            {
                var client = await StallableHubClient.ConnectAsync(Members, i % 2 == 0 ? HubProtocol.Json : HubProtocol.MessagePack);
                await client.Connection.InvokeAsync<IReadOnlyList<EventEnvelope>>("Subscribe", topic, null);
                client.Stall();
                stalledClients.Add(client);
            }

            var sseReceived = sse.Select(_ => new List<string>(Events)).ToList();
            var reading = sse.Select((stream, i) => ReadAllAsync(stream, sseReceived[i])).ToList();
            int Slowest() => Math.Min(sseReceived.Min(CountOf), hub.Min(h => h.EventCount));

            var ids = new List<string>(Events);
            var slowest = TimeSpan.Zero;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < Events; i++)
            {
                while (Slowest() < i - Window)
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"The healthy members are stuck at {Slowest()} of {i} events.");
                    await Task.Delay(1);
                }

                var started = clock.Elapsed;
                using var response = await Publisher.PublishAsync(
                    topic, EventTypes.BatchProgress, new { stage = "processing", progress_percentage = i * 0.4, message = Padding });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, (clock.Elapsed - started).Ticks));
                ids.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            }

            await Task.WhenAll(reading);
            await Task.WhenAll(hub.Select(h => Eventually.HoldsAsync(() => h.EventCount >= Events, "a healthy SignalR member has every event", TimeSpan.FromSeconds(60))));
            var allDelivered = clock.Elapsed;

            foreach (var ofStream in sseReceived)
            {
                Assert.Equal(ids, ofStream);
            }

            foreach (var client in hub)
            {
                Assert.Equal(ids, client.Events.Select(e => e.Id));
            }

            return new Run(topic, ids, allDelivered, slowest, stalledClients);
        }
        finally
        {
            foreach (var client in sse)
            {
                await client.DisposeAsync();
            }

            foreach (var client in hub)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static async Task ReadAllAsync(SseTestClient stream, List<string> received)
    {
        while (received.Count < Events)
        {
            var next = await stream.NextAsync(TimeSpan.FromSeconds(60));
            lock (received)
            {
                received.Add(SseTestClient.EventIdOf(next));
            }
        }
    }

    private static int CountOf(List<string> received)
    {
        lock (received)
        {
            return received.Count;
        }
    }

    private sealed record Run(string Topic, IReadOnlyList<string> Ids, TimeSpan AllDelivered, TimeSpan SlowestPublish, IReadOnlyList<StallableHubClient> Stalled);
}

/// <summary>One node on the embedded default.</summary>
public sealed class EmbeddedStalledMemberScenarios() : StalledMemberScenarios(new EmbeddedBackend(), nodes: 1);

/// <summary>One node on a real redis-server.</summary>
public sealed class RedisStalledMemberScenarios() : StalledMemberScenarios(new RedisBackend(), nodes: 1);

/// <summary>Two nodes sharing a real redis-server: published through one, followed on the other.</summary>
public sealed class TwoNodeStalledMemberScenarios() : StalledMemberScenarios(new RedisBackend(), nodes: 2);
