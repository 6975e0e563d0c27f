using System.Net;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Malformed, forged and misplaced credentials (docs/contract.md, Auth) on publishing, SSE and hub negotiation:
/// each is refused with its status (401; 431 or 414 when Kestrel refuses the size first), nothing is
/// stored, and the hub keeps serving everyone else.
/// </summary>
public abstract class TokenCases(BadInputNodes nodes)
{
    public static TheoryData<string> Credentials => [.. BadCredentials.Names];

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task Publishing_with_a_bad_credential_is_refused_and_stores_nothing(string name)
    {
        var credential = BadCredentials.For(name);
        var topic = Topic.Batch(Unique.Id()).ToString();

        using var response = await Wire.SendAsync(
            Node, HttpMethod.Post, credential.Apply(Wire.EventsPath(topic)), Json(Wire.Event(EventTypes.BatchProgress, SampleData.BatchProgress(5))), credential.Apply);

        await AssertRefusedAsync(response, credential);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task An_sse_stream_with_a_bad_credential_is_refused(string name)
    {
        var credential = BadCredentials.For(name);

        using var response = await Wire.StreamAsync(Node, credential.Apply($"/api/enrichment/stream/{Unique.Id()}"), credential.Apply);

        Assert.True(response.StatusCode == credential.Expected, $"{name}: expected {(int)credential.Expected}, got {(int)response.StatusCode}");
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(Credentials))]
    public async Task A_hub_negotiation_with_a_bad_credential_is_refused(string name)
    {
        var credential = BadCredentials.For(name);

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => Wire.ConnectAsync(Node, credential));

        Assert.True(refused.StatusCode == credential.Expected, $"{name}: expected {(int)credential.Expected}, got {refused.StatusCode}: {refused.Message}");
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer ")]
    public async Task The_bearer_scheme_is_case_insensitive_and_tolerates_extra_spaces_as_RFC_7235_says(string scheme)
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        var credential = new Credential($"{scheme} {BadTokens.Valid("worker", roles: ["publisher"])}");

        using var response = await Wire.SendAsync(
            Node, HttpMethod.Post, Wire.EventsPath(topic), Json(Wire.Event(EventTypes.BatchProgress, SampleData.BatchProgress(5))), credential.Apply);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, Credential credential)
    {
        if (credential.Expected == HttpStatusCode.Unauthorized)
        {
            var problem = await Wire.ProblemAsync(response, HttpStatusCode.Unauthorized);
            Assert.Contains("valid credential", problem.Detail(), StringComparison.Ordinal);
        }
        else
        {
            // Kestrel refuses an oversized request line or header block before the app sees it.
            Assert.Equal(credential.Expected, response.StatusCode);
        }
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class TokensOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : TokenCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class TokensOnRedis(RedisBadInputNodes nodes) : TokenCases(nodes);
