using System.Net;
using System.Text;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Bodies that are not a publish request of the right shape (docs/contract.md, Publishing): wrong JSON types for the
/// envelope's own fields, wrong content types, empty or trailing text, duplicate names, text that is not
/// Unicode. Each gets its status and a problem naming the bad part; nothing is stored.
/// </summary>
public abstract class EnvelopeCases(BadInputNodes nodes)
{
    public static TheoryData<string, string, string> BadSingleBodies => new()
    {
        { """{"type":["batch.progress"],"data":{"stage":"processing"}}""", "body.type", "could not be converted" },
        { """{"type":{"name":"batch.progress"},"data":{"stage":"processing"}}""", "body.type", "could not be converted" },
        { """{"type":true,"data":{"stage":"processing"}}""", "body.type", "could not be converted" },
        { """{"type":null,"data":{"stage":"processing"}}""", "type", "The event type is missing" },
        { """{"type":"","data":{"stage":"processing"}}""", "type", "The event type is missing" },
        { """{"type":"BATCH.PROGRESS","data":{"stage":"processing"}}""", "type", "'BATCH.PROGRESS' is not an event type of a batch topic" },
        { """{"type":"batch.progress\r\n","data":{"stage":"processing"}}""", "type", "is not an event type of a batch topic" },
        { """{"type":"batch.progress","data":5}""", "data", "not a number" },
        { """{"type":"batch.progress","data":true}""", "data", "not a boolean" },
        { """{"type":"batch.progress","data":"{\"stage\":\"x\"}"}""", "data", "not a string" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"idempotencyKey":5}""", "body.idempotencyKey", "could not be converted" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"idempotencyKey":{}}""", "body.idempotencyKey", "could not be converted" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"idempotencyKey":["k"]}""", "body.idempotencyKey", "could not be converted" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"idempotencyKey":true}""", "body.idempotencyKey", "could not be converted" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"idempotencyKey":"k\r\nX-Api-Key: y"}""", "idempotencyKey", "printable ASCII" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"idempotencyKey":"k\u0000"}""", "idempotencyKey", "printable ASCII" },
        { "\"batch.progress\"", "body", "could not be converted" },
        { "42", "body", "could not be converted" },
        { "true", "body", "could not be converted" },
        { "null", "body", "The body is null" },
        { string.Empty, "body", "does not contain any JSON tokens" },
        { " \r\n\t ", "body", "does not contain any JSON tokens" },
        { """{"type":"batch.progress","data":{"stage":"processing"}} trailing""", "body", "after a single JSON value" },
        { """{"type":"batch.progress","data":{"stage":"processing"}}{"type":"batch.progress","data":{"stage":"processing"}}""", "body", "after a single JSON value" },
        { """{"type":"batch.progress","data":{"stage":"processing"},"type":"batch.progress"}""", "body.type", "Duplicate property 'type'" },
        { """{"type":"batch.progress","data":{"stage":"processing","progress_percentage":500,"progress_percentage":50}}""", "body.data", "Duplicate property 'progress_percen" },
        { """{"type":"batch.progress","data":{"stage":"processing","message":"\uD800"}}""", "data.message", "not valid Unicode" },
        { """{"type":"batch.progress","data":{"stage":"processing","\uDC00":"x"}}""", "body.data", "could not be converted" },
        { """{"type":"enrichment.started","data":{"organization_id":"\uD800"}}""", "data.organization_id", "not valid Unicode" },
    };

    public static TheoryData<string, string, string> BadBatchBodies => new()
    {
        { "\"text\"", "body", "could not be converted" },
        { "42", "body", "could not be converted" },
        { "null", "body", "The body is null" },
        { "[1]", "body[0]", "could not be converted" },
        { "[[]]", "body[0]", "could not be converted" },
        { """[{"topic":"batch:{id}","type":"batch.progress","data":{"stage":"x"}},7]""", "body[1]", "could not be converted" },
        { """[{"topic":5,"type":"batch.progress","data":{"stage":"x"}}]""", "body[0].topic", "could not be converted" },
        { """[{"topic":["batch:{id}"],"type":"batch.progress","data":{"stage":"x"}}]""", "body[0].topic", "could not be converted" },
        { """[{"topic":"batch:{id}","type":"batch.progress","data":[1]}]""", "[0].data", "not an array" },
        { """[{"topic":"batch:{id}","type":"batch.progress","data":{"stage":"x"}},{"topic":"batch:{id}","type":"batch.progress","data":{"stage":"x","stage":"y"}}]""", "body[1].data", "Duplicate property 'stage'" },
    };

    public static TheoryData<string?> WrongContentTypes =>
    [
        "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json", "application/xml", "application/jsonx", null,
    ];

    private HubNode Node => nodes.Node;

    [Theory]
    [MemberData(nameof(BadSingleBodies))]
    public async Task A_malformed_publish_body_gets_400_naming_the_bad_part_and_stores_nothing(string body, string field, string says)
    {
        var topic = (body.Contains("enrichment", StringComparison.Ordinal) ? "bom:" : "batch:") + Unique.Id();

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), body);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, field, says);
        await nodes.AssertNothingStoredAsync(topic);
    }

    [Theory]
    [MemberData(nameof(BadBatchBodies))]
    public async Task A_malformed_batch_body_gets_400_naming_the_bad_part_and_stores_nothing(string body, string field, string says)
    {
        var id = Unique.Id();

        using var response = await Wire.PostAsAdminAsync(Node, "/api/events", body.Replace("{id}", id, StringComparison.Ordinal));

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, field, says);
        await nodes.AssertNothingStoredAsync($"batch:{id}");
    }

    [Theory]
    [MemberData(nameof(WrongContentTypes))]
    public async Task A_body_that_is_not_declared_JSON_gets_415_and_stores_nothing(string? contentType)
    {
        var topic = $"batch:{Unique.Id()}";

        using var response = await Wire.PostAsAdminAsync(
            Node, Wire.EventsPath(topic), new ByteArrayContent(Encoding.UTF8.GetBytes("""{"type":"batch.progress","data":{"stage":"processing"}}""")), contentType);

        await AssertRejectedAsync(response, HttpStatusCode.UnsupportedMediaType, "body", "Content-Type: application/json");
        await nodes.AssertNothingStoredAsync(topic);
    }

    [Fact]
    public async Task Event_data_that_is_not_UTF_8_gets_400_naming_the_field_and_stores_nothing()
    {
        var topic = $"batch:{Unique.Id()}";
        byte[] body = [.. Encoding.UTF8.GetBytes("""{"type":"batch.progress","data":{"stage":"x","message":"ab"""), 0xFF, 0xFE, .. "\"}}"u8];

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), new ByteArrayContent(body));

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "data.message", "not valid Unicode");
        await nodes.AssertNothingStoredAsync(topic);
    }

    private async Task AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string field, string says)
    {
        var problem = await Wire.ProblemAsync(response, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(says, problem.Detail(), StringComparison.Ordinal);
        Assert.DoesNotContain(problem.Detail(), char.IsControl);
        await nodes.AssertStillServingAsync();
    }
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class EnvelopesOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : EnvelopeCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class EnvelopesOnRedis(RedisBadInputNodes nodes) : EnvelopeCases(nodes);
