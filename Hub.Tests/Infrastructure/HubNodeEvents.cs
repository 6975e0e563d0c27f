using System.Net;
using System.Text.Json;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Publishing;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Publishing and reading events on a node the way outside clients do: HTTP in, hub <c>Subscribe</c> out.</summary>
public static class HubNodeEvents
{
    /// <summary>Publishes one event over HTTP and returns its id, failing the test unless the hub answers 202.</summary>
    public static async Task<string> PublishOkAsync(this HubNode node, string topic, string type, object data, string? idempotencyKey = null)
    {
        using var response = await node.PublishAsync(topic, type, data, idempotencyKey);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 for {topic}, got {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<PublishAccepted>(body)!.Id;
    }

    /// <summary>Publishes <paramref name="count"/> batch.progress events one after another; returns their ids.</summary>
    public static async Task<IReadOnlyList<string>> PublishBatchProgressAsync(this HubNode node, string topic, int count, int firstPercent = 0)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            ids.Add(await node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(Math.Min(100, firstPercent + i))));
        }

        return ids;
    }

    /// <summary>What a fresh client is replayed by <c>Subscribe(topic, after)</c> on this node.</summary>
    public static async Task<IReadOnlyList<EventEnvelope>> ReadAsync(this HubNode node, string topic, string? after = null)
    {
        await using var client = await HubClient.ConnectAsync(node);
        return await client.SubscribeAsync(topic, after);
    }

    /// <summary>Every event the node still retains for <paramref name="topic"/>, oldest first.</summary>
    public static Task<IReadOnlyList<EventEnvelope>> ReadAllAsync(this HubNode node, string topic) =>
        node.ReadAsync(topic, "0-0");
}
