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
    public async Task During_a_Redis_outage_publishing_answers_503_and_clients_stay_connected_then_live_delivery_resumes()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(Node);
        await client.SubscribeAsync(topic);
        await client.WaitForEventAsync(await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(1)));

        await outage.Redis.StopAsync();

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
        var late = Topic.Batch(Unique.Id()).ToString();
        var subscribeError = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(late));
        Assert.Contains("unavailable", subscribeError.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);

        await outage.Redis.StartAgainAsync();
        await Eventually.HoldsAsync(
            async () => (await GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "the node is ready again", TimeSpan.FromSeconds(30));

        var after = await Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(5));
        await client.WaitForEventAsync(after);
        Assert.Empty(await client.SubscribeAsync(late));
        await client.WaitForEventAsync(await Node.PublishOkAsync(late, EventTypes.BatchProgress, SampleData.BatchProgress(6)));
        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        Assert.Equal([1.0, 5.0, 6.0], client.Events.Select(e => e.Data.GetProperty("progress_percentage").GetDouble()));
        Assert.Equal([after], (await Node.ReadAllAsync(topic)).Select(e => e.Id));
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
