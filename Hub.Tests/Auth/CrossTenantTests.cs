using System.Net;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Auth;

/// <summary>A token of organisation A can never read or publish organisation B's topics, by any route.</summary>
[Collection(AuthNodeDefinition.Name)]
public sealed class CrossTenantTests(AuthNode fixture) : IAsyncLifetime
{
    private readonly string _bom = Unique.Id();
    private readonly string _tokenA = TestTokens.Create("alice", organization: "org-a", topics: ["bom:*"], roles: ["publisher"]);

    private HubNode Node => fixture.Node;

    private string TopicOfB => $"bom:{_bom}";

    public async Task InitializeAsync()
    {
        // Organisation B's worker publishes first, which records B as the topic's organisation.
        using var response = await Caller.PublishAsync(
            Node, TestTokens.Create("b-worker", organization: "org-b", roles: ["publisher"]), TopicOfB,
            EventTypes.EnrichmentProgress, BomOf("org-b", 10));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("/api/enrichment/stream/{0}", "token")]
    [InlineData("/api/enrichment/stream/{0}", "access_token")]
    [InlineData("/api/sse?topic=bom:{0}", "access_token")]
    public async Task Organisation_A_cannot_read_B_over_sse(string route, string parameter)
    {
        await using var stream = await Caller.StreamAsync(Node, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, _bom), _tokenA, parameter);
        Assert.Equal(HttpStatusCode.Forbidden, stream.Status);
    }

    [Fact]
    public async Task Organisation_A_cannot_read_B_over_the_hub()
    {
        await using var hub = await Caller.HubAsync(Node, _tokenA);
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<EventEnvelope[]>("Subscribe", TopicOfB, null));
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<EventEnvelope[]>("Subscribe", TopicOfB, "0-1"));
    }

    [Fact]
    public async Task Organisation_A_cannot_publish_to_B_by_any_route()
    {
        using var single = await Caller.PublishAsync(Node, _tokenA, TopicOfB, EventTypes.EnrichmentProgress, BomOf("org-a", 20));
        await ProblemAssert.IsProblemAsync(single, HttpStatusCode.Forbidden);

        using var batch = await Caller.PublishBatchAsync(Node, _tokenA, new object[]
        {
            new { topic = $"bom:{Unique.Id()}", type = EventTypes.EnrichmentProgress, data = BomOf("org-a", 5) },
            new { topic = TopicOfB, type = EventTypes.EnrichmentProgress, data = BomOf("org-a", 20) },
        });
        var problem = await ProblemAssert.IsProblemAsync(batch, HttpStatusCode.Forbidden);
        Assert.Equal(1, problem.GetProperty("index").GetInt32());

        await using var hub = await Caller.HubAsync(Node, _tokenA);
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("Publish", TopicOfB, EventTypes.EnrichmentProgress, BomOf("org-a", 20)));
    }

    [Fact]
    public async Task Organisation_A_cannot_claim_a_topic_for_B_in_its_data()
    {
        using var response = await Caller.PublishAsync(Node, _tokenA, $"bom:{Unique.Id()}", EventTypes.EnrichmentProgress, BomOf("org-b", 20));
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Nothing_A_attempted_reached_B_s_history()
    {
        await Organisation_A_cannot_publish_to_B_by_any_route();
        await using var stream = await Caller.StreamAsync(Node, $"/api/sse?topic={TopicOfB}&lastEventId=0-1", TestTokens.Create("b-reader", organization: "org-b"));
        var only = await stream.NextAsync();
        Assert.Contains("\"percent_complete\":10", only.Data, StringComparison.Ordinal);

        // The next event on the stream is B's own marker: nothing of A's came in between.
        using var marker = await Caller.PublishAsync(Node, null, TopicOfB, EventTypes.EnrichmentProgress, BomOf("org-b", 11), TestTokens.ApiKey);
        Assert.Contains("\"percent_complete\":11", (await stream.NextAsync()).Data, StringComparison.Ordinal);
    }

    private object BomOf(string organization, double percent) => new
    {
        event_type = EventTypes.EnrichmentProgress,
        bom_id = _bom,
        organization_id = organization,
        state = new { status = "enriching", percent_complete = percent },
    };
}
