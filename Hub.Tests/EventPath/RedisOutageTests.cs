using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.EventPath;

/// <summary>
/// Redis down: publishing answers 503 and acknowledges nothing, readiness goes red, connected clients
/// stay connected and, once Redis is back, get every event acknowledged meanwhile.
/// </summary>
[Collection(OutageNodeDefinition.Name)]
public sealed class RedisOutageTests(OutageNode outage)
{
    private HubNode Node => outage.Node;

    [Fact]
    public async Task During_a_Redis_outage_publishing_answers_503_and_clients_stay_connected()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(Node);
        await client.SubscribeAsync(topic);
        await client.WaitForEventAsync(await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(1)));
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/sse?topic={topic}");

        await outage.Redis.StopAsync();
        try
        {
            await AssertUnavailableAsync(await Node.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(2)));
            await AssertUnavailableAsync(await Node.PublishAsync(Topic.Merchant(Unique.Id()).ToString(), EventTypes.MerchantStage, new { stage = "shopify_sync" }));
            await AssertUnavailableAsync(await Node.PostJsonAsync("/api/events", new[] { new { topic, type = EventTypes.BatchProgress, data = SampleData.BatchProgress(3) } }));
            var hubError = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<string>(
                nameof(IProgressHub.Publish), topic, EventTypes.BatchProgress, JsonSerializer.SerializeToElement(SampleData.BatchProgress(4))));
            Assert.Contains("unavailable", hubError.Message, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("/health/ready")).StatusCode);
            var enrichment = await GetAsync("/api/enrichment/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, enrichment.StatusCode);
            Assert.Equal("unhealthy", JsonDocument.Parse(await enrichment.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
            var subscribeError = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(Topic.Batch(Unique.Id()).ToString()));
            Assert.Contains("unavailable", subscribeError.Message, StringComparison.Ordinal);
            using var newStream = await Node.Http.GetAsync($"/api/sse?topic={Topic.Batch(Unique.Id())}", HttpCompletionOption.ResponseHeadersRead);
            await ProblemAssert.IsProblemAsync(newStream, HttpStatusCode.ServiceUnavailable);

            // Connected clients stay connected while Redis is away.
            Assert.Equal(HubConnectionState.Connected, client.Connection.State);
            Assert.False(stream.Ended.IsCompleted, "The SSE stream ended during the outage.");
            Assert.Equal([1.0], client.Events.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
        }
        finally
        {
            await outage.Redis.StartAgainAsync();
            await Eventually.HoldsAsync(
                async () => (await GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the node is ready again", TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// Redis stops and starts again while two publishers, one through each node, keep publishing
    /// (retrying 503s with idempotency keys). Another node may accept events before this node's
    /// backplane subscription is back; this node then reads them from the history. No connection
    /// closes, and each client (SSE routes, SignalR JSON and MessagePack, the typed client) gets every
    /// acknowledged event once, in id order, without doing anything.
    /// </summary>
    [Fact]
    public async Task When_Redis_returns_every_open_connection_gets_every_acknowledged_event_once_in_order()
    {
        var batchId = Unique.Id();
        var topic = Topic.Batch(batchId).ToString();
        await using var json = await HubClient.ConnectAsync(Node);
        await using var messagePack = await HubClient.ConnectAsync(Node, HubProtocol.MessagePack);
        var closed = 0;
        foreach (var client in (HubClient[])[json, messagePack])
        {
            client.Connection.Closed += _ =>
            {
                Interlocked.Increment(ref closed);
                return Task.CompletedTask;
            };
            await client.SubscribeAsync(topic);
        }

        await using var typed = new RealtimeHub.Client.RealtimeHubClient(Client.ClientTestKit.Options(RealtimeHub.Client.RealtimeHubProtocol.Json, Node));
        var typedReceived = new Client.Received<RealtimeHub.Contracts.Payloads.Batch.BatchProgressData>();
        await using var subscription = await typed.SubscribeBatchAsync(batchId, typedReceived.Handle);
        await using var envelopes = await SseTestClient.OpenAsync(Node, $"/api/sse?topic={topic}");
        await using var batchStream = await SseTestClient.OpenAsync(Node, $"/api/batches/{batchId}/stream");

        var accepted = new List<string> { await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(0)) };
        using var stop = new CancellationTokenSource();
        var afterRestart = new int[2];
        var publishers = new[] { outage.Node, outage.OtherNode }.Select((node, n) => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var id = await node.PublishUntilAcceptedAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(50), $"publisher-{n}-{i}");
                lock (accepted)
                {
                    accepted.Add(id);
                }

                Interlocked.Increment(ref afterRestart[n]);
            }
        })).ToArray();

        await Eventually.HoldsAsync(() => afterRestart.All(c => c >= 5), "both publishers are publishing");
        await outage.Redis.StopAsync();
        await Eventually.HoldsAsync(
            async () => (await GetAsync("/health/ready")).StatusCode == HttpStatusCode.ServiceUnavailable, "the node sees Redis gone", TimeSpan.FromSeconds(30));
        await outage.Redis.StartAgainAsync();
        Array.Clear(afterRestart);
        await Eventually.HoldsAsync(() => afterRestart.All(c => c >= 20), "both publishers have 20 events accepted after the restart", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(publishers);

        List<string> expected;
        lock (accepted)
        {
            expected = [.. accepted.OrderBy(HubEventId.Parse)];
        }

        var timeout = TimeSpan.FromSeconds(30);
        await Eventually.HoldsAsync(() => json.EventCount >= expected.Count && messagePack.EventCount >= expected.Count, "both SignalR clients have every event", timeout);
        await typedReceived.WaitForCountAsync(expected.Count, timeout);
        Assert.Equal(expected, json.Events.Select(e => e.Id));
        Assert.Equal(expected, messagePack.Events.Select(e => e.Id));
        Assert.Equal(expected, typedReceived.Ids);
        Assert.Equal(expected, (await envelopes.TakeAsync(expected.Count)).Select(SseTestClient.EventIdOf));
        Assert.Equal(expected, (await batchStream.TakeAsync(expected.Count)).Select(e => e.EventId));

        // Nothing was closed: the same connections carried everything.
        Assert.Equal(0, Volatile.Read(ref closed));
        Assert.Equal(HubConnectionState.Connected, json.Connection.State);
        Assert.False(envelopes.Ended.IsCompleted || batchStream.Ended.IsCompleted, "An SSE stream was closed.");
        Assert.Empty(json.Resets);
    }

    private async Task<HttpResponseMessage> GetAsync(string path) => await Node.Http.GetAsync(new Uri(path, UriKind.Relative));

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        using (response)
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without a positive Retry-After");
        }
    }
}
