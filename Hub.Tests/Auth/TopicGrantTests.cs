using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Auth;

/// <summary>Grants (docs/contract.md, Auth): merchant_id, topics with * prefixes, roles, and the topic's organisation.</summary>
[Collection(AuthNodeDefinition.Name)]
public sealed class TopicGrantTests(AuthNode fixture)
{
    private HubNode Node => fixture.Node;

    [Fact]
    public async Task A_merchant_token_reads_its_own_merchant_stream_only()
    {
        var (mine, theirs) = (Unique.Id(), Unique.Id());
        var token = TestTokens.Create("shop-user", merchant: mine);

        await using var own = await Caller.StreamAsync(Node, $"/api/realtime/events/{mine}", token);
        Assert.Equal(HttpStatusCode.OK, own.Status);
        await using var fromToken = await Caller.StreamAsync(Node, "/api/realtime/events", token);
        Assert.Equal(HttpStatusCode.OK, fromToken.Status);
        await using var other = await Caller.StreamAsync(Node, $"/api/realtime/events/{theirs}", token);
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
    }

    [Fact]
    public async Task The_merchant_route_without_an_id_streams_the_merchant_named_by_the_token()
    {
        var merchant = Unique.Id();
        await using var stream = await Caller.StreamAsync(Node, "/api/realtime/events", TestTokens.Create("shop-user", merchant: merchant));
        await stream.NextAsync();
        using var published = await Caller.PublishAsync(Node, null, $"merchant:{merchant}", EventTypes.MerchantProgress, SampleData.MerchantProgress(40), TestTokens.ApiKey);
        var frame = await stream.NextAsync();
        Assert.Equal(EventTypes.MerchantProgress, frame.EventType);
    }

    [Theory]
    [InlineData("batch:*", "batch:{0}", true)]
    [InlineData("batch:{0}", "batch:{0}", true)]
    [InlineData("batch:{0}x", "batch:{0}", false)]
    [InlineData("bom:*", "batch:{0}", false)]
    [InlineData("*", "batch:{0}", true)]
    public async Task A_topics_claim_grants_exact_topics_and_star_prefixes(string grant, string topic, bool granted)
    {
        var id = Unique.Id();
        var token = TestTokens.Create("reader", topics: [string.Format(System.Globalization.CultureInfo.InvariantCulture, grant, id)]);
        await using var stream = await Caller.StreamAsync(Node, $"/api/sse?topic={string.Format(System.Globalization.CultureInfo.InvariantCulture, topic, id)}", token);
        Assert.Equal(granted ? HttpStatusCode.OK : HttpStatusCode.Forbidden, stream.Status);
    }

    [Fact]
    public async Task A_topic_not_granted_is_refused_on_the_hub_and_the_connection_stays_up()
    {
        var token = TestTokens.Create("reader", topics: ["bom:*"]);
        await using var connection = await Caller.HubAsync(Node, token);

        var refused = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<EventEnvelope[]>("Subscribe", $"batch:{Unique.Id()}", null));
        Assert.Contains("may not read", refused.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, connection.State);
        Assert.NotNull(await connection.InvokeAsync<EventEnvelope[]>("Subscribe", $"bom:{Unique.Id()}", null));
    }

    [Fact]
    public async Task Publishing_needs_the_publisher_role()
    {
        var topic = $"batch:{Unique.Id()}";
        using var reader = await Caller.PublishAsync(Node, TestTokens.Create("reader", topics: ["*"]), topic, EventTypes.BatchProgress, SampleData.BatchProgress(1));
        await ProblemAssert.IsProblemAsync(reader, HttpStatusCode.Forbidden);

        using var publisher = await Caller.PublishAsync(Node, TestTokens.Create("worker", roles: ["publisher"]), topic, EventTypes.BatchProgress, SampleData.BatchProgress(1));
        Assert.Equal(HttpStatusCode.Accepted, publisher.StatusCode);

        await using var hub = await Caller.HubAsync(Node, TestTokens.Create("reader", topics: ["*"]));
        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("Publish", topic, EventTypes.BatchProgress, SampleData.BatchProgress(2)));
        Assert.Contains("publisher role", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_organisation_recorded_by_a_bom_publisher_grants_its_members_and_nobody_else()
    {
        var bom = Unique.Id();
        using var published = await Caller.PublishAsync(
            Node, null, $"bom:{bom}", EventTypes.EnrichmentStarted, new { event_type = EventTypes.EnrichmentStarted, bom_id = bom, organization_id = "org-a" }, TestTokens.ApiKey);
        Assert.Equal(HttpStatusCode.Accepted, published.StatusCode);

        await using var member = await Caller.StreamAsync(Node, $"/api/enrichment/stream/{bom}", TestTokens.Create("alice", organization: "org-a"), "token");
        Assert.Equal(HttpStatusCode.OK, member.Status);

        // Even a wildcard grant does not open another organisation's topic.
        await using var outsider = await Caller.StreamAsync(Node, $"/api/enrichment/stream/{bom}", TestTokens.Create("bob", organization: "org-b", topics: ["bom:*"]), "token");
        Assert.Equal(HttpStatusCode.Forbidden, outsider.Status);
    }
}
