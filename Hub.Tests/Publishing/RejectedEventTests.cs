using System.Net;
using System.Text;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Publishing;

/// <summary>
/// Every bad input of docs/contract.md's Topics, Events and Publishing over HTTP gets its status and an RFC 7807 body naming the bad
/// part, and nothing is stored.
/// </summary>
[Collection(EmbeddedNodesDefinition.Name)]
public sealed class RejectedEventTests(EmbeddedNodes nodes)
{
    public static TheoryData<string, string> BadRouteTopics => new()
    {
        { "bom:", "the id is empty" },
        { "bom:" + new string('a', 129), "129 characters" },
        { "bom:a:b", "':' at position 1" },
        { "bom:a*", "'*' at position 1" },
        { "bom:a b", "U+0020 at position 1" },
        { "bom:a\u0001b", "U+0001 at position 1" },
        { "order:1", "family 'order' is unknown" },
        { "12345", "no family prefix" },
    };

    public static TheoryData<string, string, string> BadBodies => new()
    {
        // The type must be one the family accepts.
        { "bom", """{"type":"progress","data":{}}""", "'progress' is not an event type of a bom topic" },
        { "merchant", """{"data":{}}""", "type: The event type is missing" },
        { "bom", """{"type":"enrichment.progress","data":{"event_type":"enrichment.completed"}}""", "data.event_type" },

        // The data must be an object.
        { "batch", """{"type":"batch.progress","data":[1,2]}""", "not an array" },
        { "batch", """{"type":"batch.progress","data":"text"}""", "not a string" },
        { "batch", """{"type":"batch.progress","data":null}""", "not null" },
        { "batch", """{"type":"batch.progress"}""", "data: The data must be a JSON object" },

        // Percentages lie in 0..100.
        { "bom", """{"type":"enrichment.progress","data":{"state":{"percent_complete":-1}}}""", "data.state.percent_complete" },
        { "bom", """{"type":"enrichment.progress","data":{"state":{"percent_complete":100.5}}}""", "data.state.percent_complete" },
        { "merchant", """{"type":"progress","data":{"progress":101}}""", "data.progress" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x","progress_percentage":-0.1}}""", "data.progress_percentage" },

        // Counts are non-negative integers.
        { "bom", """{"type":"enrichment.progress","data":{"state":{"total_items":-1}}}""", "data.state.total_items" },
        { "merchant", """{"type":"progress","data":{"itemsProcessed":-3}}""", "data.itemsProcessed" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x","sheets_total":-1}}""", "data.sheets_total" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x","sheets_processed":1.5}}""", "data.sheets_processed" },
        { "merchant", """{"type":"progress","data":{"chunkProgress":{"current":2.5,"total":4}}}""", "data.chunkProgress.current" },

        // Each seed field has its JSON type.
        { "merchant", """{"type":"progress","data":{"progress":"50"}}""", "data.progress: Expected a number, got a string" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x","sheets_total":"10"}}""", "data.sheets_total" },
        { "merchant", """{"type":"stage","data":{"poId":42}}""", "data.poId: Expected a string, got a number" },
        { "bom", """{"type":"enrichment.started","data":{"event_id":7}}""", "data.event_id" },
        { "batch", """{"type":"batch.progress","data":{"stage":3}}""", "data.stage" },
        { "batch", """{"type":"batch.progress","data":{"message":"no stage"}}""", "data.stage: This field is required" },
        { "bom", """{"type":"enrichment.progress","data":{"state":"half"}}""", "data.state: Expected an object" },
        { "bom", """{"type":"enrichment.progress","data":{"state":{"current_item":{"mpn":5}}}}""", "data.state.current_item.mpn" },

        // The body is JSON of the request's shape.
        { "batch", """{not json""", "body" },
        { "batch", """{"type":"batch.progress","data":{}""", "body" },
        { "batch", """[]""", "body" },
        { "batch", """{"type":5,"data":{}}""", "body.type" },

        // Idempotency keys are 1 to 200 printable ASCII characters without spaces.
        { "batch", """{"type":"batch.progress","data":{"stage":"x"},"idempotencyKey":""}""", "idempotencyKey" },
        { "batch", $$"""{"type":"batch.progress","data":{"stage":"x"},"idempotencyKey":"{{new string('k', 201)}}"}""", "idempotencyKey" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x"},"idempotencyKey":"has space"}""", "idempotencyKey" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x"},"idempotencyKey":"ключ"}""", "idempotencyKey" },
        { "batch", """{"type":"batch.progress","data":{"stage":"x"},"idempotencyKey":"tab\there"}""", "idempotencyKey" },
    };

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(BadRouteTopics))]
    public async Task A_malformed_topic_in_the_route_is_rejected_with_400_naming_the_bad_part(string topic, string namedPart)
    {
        using var response = await Node.PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(1));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(namedPart, problem.Detail(), StringComparison.Ordinal);
        Assert.DoesNotContain(problem.Detail(), char.IsControl);
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task A_malformed_event_is_rejected_with_400_naming_the_bad_part_and_nothing_is_stored(string family, string body, string namedPart)
    {
        var topic = $"{family}:{Unique.Id()}";

        using var response = await Node.PostJsonAsync(EventsPath(topic), body);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(namedPart, problem.Detail(), StringComparison.Ordinal);
        Assert.Empty(await Node.ReadAsync(topic));
    }

    [Fact]
    public async Task Event_data_over_64_KiB_is_rejected_with_413_and_nothing_is_stored()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();

        using var response = await Node.PublishAsync(topic, EventTypes.BatchProgress, BatchWithDataOf(64 * 1024 + 1));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("65537 bytes", problem.Detail(), StringComparison.Ordinal);
        Assert.Empty(await Node.ReadAsync(topic));
    }

    [Fact]
    public async Task Event_data_of_exactly_64_KiB_is_accepted()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();

        var id = await Node.PublishOkAsync(topic, EventTypes.BatchProgress, BatchWithDataOf(64 * 1024));

        Assert.Equal(id, Assert.Single(await Node.ReadAsync(topic)).Id);
    }

    [Fact]
    public async Task A_request_body_far_over_the_limit_is_rejected_with_413_and_nothing_is_stored()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();

        using var response = await Node.PublishAsync(topic, EventTypes.BatchProgress, BatchWithDataOf(512 * 1024));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(await Node.ReadAsync(topic));
    }

    [Fact]
    public async Task An_oversized_item_rejects_a_batch_publish_with_413_naming_its_index()
    {
        var topic = Topic.Batch(Unique.Id()).ToString();
        object[] items =
        [
            new { topic, type = EventTypes.BatchProgress, data = SampleData.BatchProgress(1) },
            new { topic, type = EventTypes.BatchProgress, data = BatchWithDataOf(64 * 1024 + 1) },
        ];

        using var response = await Node.PostJsonAsync("/api/events", items);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        Assert.Empty(await Node.ReadAsync(topic));
    }

    [Theory]
    [InlineData("[]", "empty")]
    [InlineData("{}", "body")]
    [InlineData("[null]", "null")]
    public async Task A_batch_publish_without_events_is_rejected_with_400(string body, string namedPart)
    {
        using var response = await Node.PostJsonAsync("/api/events", body);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(namedPart, problem.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_item_with_a_malformed_topic_rejects_the_batch_with_400_naming_its_index()
    {
        var good = Topic.Batch(Unique.Id()).ToString();
        object[] items =
        [
            new { topic = good, type = EventTypes.BatchProgress, data = SampleData.BatchProgress(1) },
            new { topic = "batch:a*b", type = EventTypes.BatchProgress, data = SampleData.BatchProgress(2) },
        ];

        using var response = await Node.PostJsonAsync("/api/events", items);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        Assert.Contains("'*'", problem.Detail(), StringComparison.Ordinal);
        Assert.Empty(await Node.ReadAsync(good));
    }

    private static string EventsPath(string topic) => $"/api/topics/{Uri.EscapeDataString(topic)}/events";

    /// <summary>Batch progress data whose JSON is exactly <paramref name="bytes"/> bytes long.</summary>
    private static Dictionary<string, string> BatchWithDataOf(int bytes)
    {
        const string Frame = """{"stage":"x","message":""}""";
        return new() { ["stage"] = "x", ["message"] = new StringBuilder().Append('m', bytes - Encoding.UTF8.GetByteCount(Frame)).ToString() };
    }
}
