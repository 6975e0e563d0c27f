using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.EventPath;

/// <summary>
/// Bad hub calls fail with a <see cref="HubException"/> the caller can read, and the connection stays
/// usable (docs/contract.md, SignalR hub); hub publishing goes through the same path as HTTP.
/// </summary>
[Collection(EmbeddedNodesDefinition.Name)]
public sealed class HubErrorTests(EmbeddedNodes nodes)
{
    [Theory]
    [InlineData("", "The topic is empty")]
    [InlineData("bom:a:b", "':' at position 1")]
    [InlineData("bom:a b", "U+0020 at position 1")]
    [InlineData("order:1", "family 'order' is unknown")]
    [InlineData("batch:*", "'*' at position 0")]
    public async Task Subscribe_to_a_malformed_topic_throws_a_HubException_naming_the_bad_part_and_the_connection_stays_usable(
        string topic, string namedPart)
    {
        await using var client = await HubClient.ConnectAsync(nodes.Node);

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(topic));

        Assert.Contains(namedPart, error.Message, StringComparison.Ordinal);
        await AssertUsableAsync(client);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1-x")]
    [InlineData("1732300000000")]
    [InlineData("1-0\r\nid: 9-9")]
    public async Task Subscribe_with_a_malformed_last_event_id_throws_a_HubException_saying_so_and_the_connection_stays_usable(string lastEventId)
    {
        await using var client = await HubClient.ConnectAsync(nodes.Node);

        var error = await Assert.ThrowsAsync<HubException>(() => client.SubscribeAsync(Topic.Bom(Unique.Id()).ToString(), lastEventId));

        Assert.Contains("is not an event id", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        await AssertUsableAsync(client);
    }

    [Fact]
    public async Task Publish_of_an_invalid_event_throws_a_HubException_naming_the_bad_part_and_stores_nothing()
    {
        var topic = Topic.Bom(Unique.Id()).ToString();
        await using var client = await HubClient.ConnectAsync(nodes.Node);

        var error = await Assert.ThrowsAsync<HubException>(() => PublishAsync(client, topic, EventTypes.EnrichmentProgress, SampleData.BomProgress("b", 150)));

        Assert.Contains("data.state.percent_complete", error.Message, StringComparison.Ordinal);
        Assert.Empty(await nodes.Node.ReadAsync(topic));
        await AssertUsableAsync(client);
    }

    [Theory]
    [InlineData("order:1", "enrichment.progress", "family 'order' is unknown")]
    [InlineData("bom:x", "batch.progress", "'batch.progress' is not an event type of a bom topic")]
    public async Task Publish_to_a_malformed_topic_or_with_a_foreign_type_throws_a_HubException_naming_it(string topic, string type, string namedPart)
    {
        await using var client = await HubClient.ConnectAsync(nodes.Node);

        var error = await Assert.ThrowsAsync<HubException>(() => PublishAsync(client, topic, type, new { stage = "x" }));

        Assert.Contains(namedPart, error.Message, StringComparison.Ordinal);
        await AssertUsableAsync(client);
    }

    [Theory]
    [InlineData(HubProtocol.Json)]
    [InlineData(HubProtocol.MessagePack)]
    public async Task Publish_over_the_hub_returns_the_id_and_subscribers_receive_the_event(HubProtocol protocol)
    {
        var topic = Topic.Merchant(Unique.Id()).ToString();
        await using var subscriber = await HubClient.ConnectAsync(nodes.Node);
        await subscriber.SubscribeAsync(topic);
        await using var publisher = await HubClient.ConnectAsync(nodes.Node, protocol);

        var id = await PublishAsync(publisher, topic, EventTypes.MerchantStage, new { poId = "po-1", stage = "database_save", confidence = 0.9 });

        await subscriber.WaitForEventAsync(id);
        var received = Assert.Single(subscriber.Events);
        Assert.Equal(EventTypes.MerchantStage, received.Type);
        Assert.Equal("database_save", received.Data.GetProperty("stage").GetString());
        Assert.Equal(0.9, received.Data.GetProperty("confidence").GetDouble());
    }

    private static Task<string> PublishAsync(HubClient client, string topic, string type, object data) =>
        client.Connection.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, type, JsonSerializer.SerializeToElement(data));

    /// <summary>The connection is still up and a following Subscribe works.</summary>
    private async Task AssertUsableAsync(HubClient client)
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var id = await nodes.Node.PublishOkAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(3));

        var replayed = await client.SubscribeAsync(topic);

        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
        Assert.Equal(id, Assert.Single(replayed).Id);
    }
}
