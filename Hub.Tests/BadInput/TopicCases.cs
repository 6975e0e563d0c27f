using System.Net;
using System.Text.Json;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Malformed topics (docs/contract.md, Topics) over HTTP: in the publishing route, in a batch body and in SSE
/// query and route parameters. Each gets 400 with a problem naming the topic and its bad part, the
/// topic it imitates stays empty, and the hub keeps serving everyone else.
/// </summary>
public abstract class TopicCases(BadInputNodes nodes)
{
    public static TheoryData<string> Topics => [.. BadTopics.Names];

    /// <summary>Every case but NUL, which Kestrel refuses in a path before the app sees it (see below).</summary>
    public static TheoryData<string> RouteTopics => [.. BadTopics.Names.Where(n => n != "NUL")];

    public static TheoryData<string, string, string> BadRouteIds => new()
    {
        { "/api/batches/{id}%0D/stream", "batchId", "U+000D" },
        { "/api/batches/{id}%E2%80%8B/stream", "batchId", "U+200B" },
        { "/api/batches/{id}%2Fx/stream", "batchId", "'%'" },
        { "/api/batches/{id}%F0%9F%9A%80/stream", "batchId", "U+D83D" },
        { "/api/enrichment/stream/{id}%0A", "bomId", "U+000A" },
        { "/api/enrichment/stream/{id}%D0%BE", "bomId", "U+043E" },
        { "/api/enrichment/stream/{id}%E2%80%AE", "bomId", "U+202E" },
        { "/api/enrichment/stream/{id}*", "bomId", "'*'" },
        { "/api/realtime/events/{id}%09", "merchantId", "U+0009" },
        { "/api/realtime/events/{id}%EF%BC%91", "merchantId", "U+FF11" },
        { "/api/realtime/events/{id}:1", "merchantId", "':'" },
        { "/api/realtime/events/{long}", "merchantId", "at most 128" },
    };

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(RouteTopics))]
    public async Task A_bad_topic_in_the_publishing_route_gets_400_naming_it_and_stores_nothing(string name)
    {
        var (topic, near, namedPart) = BadTopics.For(name);
        var (type, data) = GoodEvents.For(near);

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), Wire.Event(type, data));

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("topic", problem.GetProperty("field").GetString());
        AssertNames(problem.Detail(), namedPart);
        await nodes.AssertNothingStoredAsync(near);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(Topics))]
    public async Task A_bad_topic_in_a_batch_rejects_the_whole_batch_with_400_naming_its_index(string name)
    {
        var (topic, near, namedPart) = BadTopics.For(name);
        var (type, data) = GoodEvents.For(near);
        var body = JsonSerializer.Serialize(new object[] { new { topic = near, type, data }, new { topic, type, data } });

        using var response = await Wire.PostAsAdminAsync(Node, "/api/events", body);

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("[1].topic", problem.GetProperty("field").GetString());
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        AssertNames(problem.Detail(), namedPart);
        await nodes.AssertNothingStoredAsync(near);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(Topics))]
    public async Task A_bad_topic_in_the_sse_query_gets_400_naming_it(string name)
    {
        var (topic, near, namedPart) = BadTopics.For(name);

        using var response = await Wire.StreamAsAdminAsync(Node, $"/api/sse?topic={Uri.EscapeDataString(near)}&topic={Uri.EscapeDataString(topic)}");

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("topic", problem.GetProperty("field").GetString());
        AssertNames(problem.Detail(), namedPart);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [MemberData(nameof(BadRouteIds))]
    public async Task A_bad_id_in_an_sse_route_gets_400_naming_the_parameter(string path, string field, string namedPart)
    {
        path = path.Replace("{id}", Unique.Id(), StringComparison.Ordinal).Replace("{long}", new string('m', 129), StringComparison.Ordinal);

        using var response = await Wire.StreamAsAdminAsync(Node, path);

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(field, problem.Detail(), StringComparison.Ordinal);
        AssertNames(problem.Detail(), namedPart);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("/api/topics/bom%3A{id}%2Fx/events", "bom:{id}")]
    [InlineData("/api/topics/batch:{id}%2F..%2F..%2Fhealth/events", "batch:{id}")]
    public async Task A_percent_encoded_slash_in_the_publishing_route_stays_part_of_the_topic_and_is_refused(string path, string near)
    {
        var id = Unique.Id();
        near = near.Replace("{id}", id, StringComparison.Ordinal);
        var (type, data) = GoodEvents.For(near);

        using var response = await Wire.PostAsAdminAsync(Node, path.Replace("{id}", id, StringComparison.Ordinal), Wire.Event(type, data));

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("topic", problem.GetProperty("field").GetString());
        AssertNames(problem.Detail(), "'%'");
        await nodes.AssertNothingStoredAsync(near);
    }

    [Fact]
    public async Task A_NUL_in_the_publishing_route_is_refused_by_Kestrel_with_400_and_stores_nothing()
    {
        var (topic, near, _) = BadTopics.For("NUL");
        var (type, data) = GoodEvents.For(near);

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), Wire.Event(type, data));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await nodes.AssertNothingStoredAsync(near);
        await nodes.AssertStillServingAsync();
    }

    private static void AssertNames(string detail, string namedPart)
    {
        Assert.Contains(namedPart, detail, StringComparison.Ordinal);
        Assert.DoesNotContain(detail, char.IsControl);
    }
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class TopicsOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : TopicCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class TopicsOnRedis(RedisBadInputNodes nodes) : TopicCases(nodes);
