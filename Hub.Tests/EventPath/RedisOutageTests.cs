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
/// stay connected and get live events again once Redis is back (DESIGN.md "Slow consumers and faults").
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
    /// Another node may accept events before this node's backplane subscription is back. This node
    /// then closes its connections, and every client resumes from its last id: nothing accepted is lost.
    /// </summary>
    [Fact]
    public async Task After_Redis_returns_every_client_resumes_from_its_last_id_and_misses_nothing()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(Node);
        await client.SubscribeAsync(topic);
        var seen = await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(1));
        await client.WaitForEventAsync(seen);
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/batches/{topic[(topic.IndexOf(':', StringComparison.Ordinal) + 1)..]}/stream");
        Assert.Equal(seen, (await stream.NextAsync()).EventId);

        await outage.Redis.StopAsync();
        await outage.Redis.StartAgainAsync();

        // The other node publishes as soon as Redis takes writes, racing this node's resubscription.
        var accepted = new List<string>();
        while (accepted.Count < 10)
        {
            using var response = await outage.OtherNode.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10 + accepted.Count));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                accepted.Add(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            }
        }

        // This node closes its connections once its subscription is back...
        await Eventually.HoldsAsync(() => client.Connection.State == HubConnectionState.Disconnected, "the hub connection is closed", TimeSpan.FromSeconds(30));
        await stream.WaitForEndAsync();

        // ...and each client, resuming from its last id, gets every accepted event once, in order.
        await using var resumed = await HubClient.ConnectAsync(Node);
        var missed = await resumed.SubscribeAsync(topic, seen);
        Assert.Equal(accepted, missed.Select(e => e.Id));
        await using var resumedStream = await SseTestClient.OpenAsync(Node, $"/api/batches/{topic[(topic.IndexOf(':', StringComparison.Ordinal) + 1)..]}/stream", lastEventId: seen);
        Assert.Equal(accepted, (await resumedStream.TakeAsync(accepted.Count)).Select(e => e.EventId));

        // Live delivery works again, across nodes.
        var live = await outage.OtherNode.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(99));
        await resumed.WaitForEventAsync(live);
        Assert.Equal(live, (await resumedStream.NextAsync()).EventId);
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
