using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.BadInput;

/// <summary>
/// Too large and too deep (docs/contract.md, Publishing): oversized headers and URLs get Kestrel's 431 and 414, an
/// oversized event or body 413, a batch over its item limit 413, data nested past the body's depth
/// limit 400 naming where; nothing is stored and the hub keeps serving everyone else.
/// </summary>
public abstract class SizeCases(BadInputNodes nodes)
{
    private HubNode Node => nodes.Node;

    [Theory]
    [InlineData("publish")]
    [InlineData("sse")]
    public async Task A_64_KB_header_gets_431(string route)
    {
        var topic = $"batch:{Unique.Id()}";
        void Filler(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("X-Filler", new string('f', 64 * 1024));

        using var response = route == "publish"
            ? await Wire.SendAsync(Node, HttpMethod.Post, Wire.EventsPath(topic), Json(Wire.Event(EventTypes.BatchProgress, SampleData.BatchProgress(1))), r =>
            {
                r.Headers.Add("X-Api-Key", TestTokens.ApiKey);
                Filler(r);
            })
            : await Wire.StreamAsAdminAsync(Node, $"/api/batches/{Unique.Id()}/stream", Filler);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_hub_negotiation_with_a_64_KB_header_is_refused_with_431()
    {
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => Wire.ConnectAsync(
            Node, new Credential(ApiKey: TestTokens.ApiKey), new Dictionary<string, string> { ["X-Filler"] = new('f', 64 * 1024) }));

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, refused.StatusCode);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_40_KB_Last_Event_ID_gets_431()
    {
        using var response = await Wire.StreamAsAdminAsync(
            Node, $"/api/batches/{Unique.Id()}/stream", r => r.Headers.TryAddWithoutValidation("Last-Event-ID", new string('1', 40 * 1024) + "-0"));

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_request_with_150_headers_gets_431_and_stores_nothing()
    {
        var topic = $"batch:{Unique.Id()}";

        using var response = await Wire.SendAsync(Node, HttpMethod.Post, Wire.EventsPath(topic), Json(Wire.Event(EventTypes.BatchProgress, SampleData.BatchProgress(1))), r =>
        {
            r.Headers.Add("X-Api-Key", TestTokens.ApiKey);
            for (var i = 0; i < 150; i++)
            {
                r.Headers.TryAddWithoutValidation($"X-Header-{i}", "v");
            }
        });

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_10_KB_lastEventId_in_the_query_gets_414()
    {
        using var response = await Wire.StreamAsAdminAsync(Node, $"/api/batches/{Unique.Id()}/stream?lastEventId={new string('1', 10 * 1024)}-0");

        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_70_KB_event_gets_413_naming_its_size_and_stores_nothing()
    {
        var topic = $"bom:{Unique.Id()}";
        var body = Wire.Event(EventTypes.EnrichmentProgress, new { payload = new { blob = new string('p', 70 * 1024) } });

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), body);

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("data", problem.GetProperty("field").GetString());
        Assert.Contains("at most 65536 are accepted", problem.Detail(), StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_body_over_the_request_limit_gets_413_even_when_its_data_fits()
    {
        var topic = $"batch:{Unique.Id()}";
        var body = JsonSerializer.Serialize(new
        {
            type = EventTypes.BatchProgress,
            data = new { stage = "processing", message = new string('m', 60 * 1024) },
            padding = new string('p', 24 * 1024),
        });

        using var response = await Wire.PostAsAdminAsync(Node, Wire.EventsPath(topic), body);

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("too large", problem.Detail(), StringComparison.OrdinalIgnoreCase);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task A_batch_over_the_item_limit_gets_413_and_stores_nothing()
    {
        var topic = $"batch:{Unique.Id()}";
        var items = Enumerable.Range(0, 501).Select(i => new { topic, type = EventTypes.BatchProgress, data = new { stage = "processing" } });

        using var response = await Wire.PostAsAdminAsync(Node, "/api/events", JsonSerializer.Serialize(items));

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("items", problem.GetProperty("field").GetString());
        Assert.Contains("501 events; at most 500", problem.Detail(), StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Theory]
    [InlineData("""{"type":"batch.progress","data":{"stage":"x","extra":{0}}}""", "{\"a\":", "}", "body.data")]
    [InlineData("""{"type":"batch.progress","data":{"stage":"x","extra":{0}}}""", "[", "]", "body.data")]
    [InlineData("""{"type":"enrichment.progress","data":{"state":{"current_item":{0}}}}""", "{\"mpn\":", "}", "body.data")]
    [InlineData("""[{"topic":"batch:x","type":"batch.progress","data":{"stage":"x","extra":{0}}}]""", "{\"a\":", "}", "body[0].data")]
    public async Task Data_nested_70_levels_gets_400_naming_where_and_stores_nothing(string frame, string open, string close, string field)
    {
        var topic = (frame.Contains("enrichment", StringComparison.Ordinal) ? "bom:" : "batch:") + Unique.Id();
        var body = frame.Replace("{0}", Nested(70, open, close), StringComparison.Ordinal).Replace("batch:x", topic, StringComparison.Ordinal);

        using var response = await Wire.PostAsAdminAsync(Node, frame.StartsWith('[') ? "/api/events" : Wire.EventsPath(topic), body);

        var problem = await Wire.ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains("maximum configured depth of 64", problem.Detail(), StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertStillServingAsync();
    }

    [Fact]
    public async Task Hub_Publish_of_a_70_KB_event_throws_a_HubException_naming_its_size_and_stores_nothing()
    {
        var topic = $"bom:{Unique.Id()}";
        var data = JsonSerializer.SerializeToElement(new { payload = new string('p', 70 * 1024) });

        var error = await Assert.ThrowsAsync<HubException>(() =>
            nodes.Prober.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, EventTypes.EnrichmentProgress, data));

        Assert.Contains("at most 65536 are accepted", error.Message, StringComparison.Ordinal);
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertProberUsableAsync();
    }

    [Fact]
    public async Task A_hub_message_over_the_receive_limit_closes_only_that_connection_and_stores_nothing()
    {
        var topic = $"bom:{Unique.Id()}";
        await using var sender = await nodes.ConnectAsync(BadTokens.Valid("oversize", roles: ["publisher"]));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        sender.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };

        var data = JsonSerializer.SerializeToElement(new { payload = new string('p', 96 * 1024) });
        await Assert.ThrowsAnyAsync<Exception>(() => sender.InvokeAsync<string>(nameof(IProgressHub.Publish), topic, EventTypes.EnrichmentProgress, data));

        await Eventually.WithinAsync(closed.Task.ContinueWith(_ => true, TaskScheduler.Default), "the oversized sender's connection to close");
        await nodes.AssertNothingStoredAsync(topic);
        await nodes.AssertProberUsableAsync();
        await nodes.AssertStillServingAsync();
    }

    private static string Nested(int levels, string open, string close) =>
        new StringBuilder().Insert(0, open, levels).Append('1').Insert(open.Length * levels + 1, close, levels).ToString();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

[Collection(EmbeddedBadInputDefinition.Name)]
public sealed class SizesOnTheEmbeddedDefault(EmbeddedBadInputNodes nodes) : SizeCases(nodes);

[Collection(RedisBadInputDefinition.Name)]
public sealed class SizesOnRedis(RedisBadInputNodes nodes) : SizeCases(nodes);
