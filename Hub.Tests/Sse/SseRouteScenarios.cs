using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>
/// The SSE routes' wire formats (docs/contract.md, Server-sent events), read with the real SSE parser, run against the
/// embedded default and against real Redis.
/// </summary>
public abstract class SseRouteScenarios(ScenarioNodes nodes)
{
    private HubNode Node => nodes.Node;

    [Fact]
    public async Task Every_route_answers_with_the_event_stream_headers_and_retry_first()
    {
        var id = Unique.Id();
        foreach (var path in new[] { $"/api/sse?topic=bom:{id}", $"/api/realtime/events/{id}", $"/api/enrichment/stream/{id}", $"/api/batches/{id}/stream" })
        {
            await using var stream = await SseTestClient.OpenAsync(Node, path);
            Assert.Equal(HttpStatusCode.OK, stream.Status);
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("no-cache", stream.Response.Headers.CacheControl?.ToString());
            Assert.Equal("no", string.Join(",", stream.Response.Headers.GetValues("X-Accel-Buffering")));
        }

        // Read until the first frame is in, with a deadline a loaded machine cannot miss.
        const string RetryFirst = "retry: 3000\n\n";
        var raw = await SseTestClient.ReadRawAsync(
            Node, $"/api/batches/{id}/stream", Eventually.DefaultTimeout, enough: text => text.Length >= RetryFirst.Length);
        Assert.StartsWith(RetryFirst, raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_envelope_route_names_frames_by_type_and_carries_the_whole_envelope()
    {
        var topic = $"batch:{Unique.Id()}";
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/sse?topic={topic}");
        var id = await PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(10));

        var frame = await stream.NextAsync();
        Assert.Equal(EventTypes.BatchProgress, frame.EventType);
        Assert.Equal($"{topic}={id}", frame.EventId);
        using var envelope = JsonDocument.Parse(frame.Data);
        Assert.Equal(id, envelope.RootElement.GetProperty("id").GetString());
        Assert.Equal(topic, envelope.RootElement.GetProperty("topic").GetString());
        Assert.Equal(EventTypes.BatchProgress, envelope.RootElement.GetProperty("type").GetString());
        Assert.Equal(10, envelope.RootElement.GetProperty("data").GetProperty("progress_percentage").GetDouble());
    }

    [Fact]
    public async Task The_merchant_route_greets_then_sends_named_frames_of_the_data_with_its_type()
    {
        var merchant = Unique.Id();
        await PublishAsync($"merchant:{merchant}", EventTypes.MerchantStage, new { stage = "ai_parsing", poId = "po-0", status = "started" });
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/realtime/events/{merchant}");

        var connected = await stream.NextAsync();
        Assert.Equal("message", connected.EventType);
        using (var greeting = JsonDocument.Parse(connected.Data))
        {
            Assert.Equal("connected", greeting.RootElement.GetProperty("type").GetString());
            Assert.True(greeting.RootElement.GetProperty("timestamp").GetInt64() > 1_700_000_000_000);
        }

        var types = new[] { EventTypes.MerchantStage, EventTypes.MerchantProgress, EventTypes.MerchantCompletion, EventTypes.MerchantError };
        foreach (var type in types)
        {
            await PublishAsync($"merchant:{merchant}", type, new { stage = "database_save", poId = "po-1", workflowId = "wf-1" });
        }

        // A merchant stream is a feed: the stage event published before the connect is not replayed.
        var frames = await stream.TakeAsync(types.Length);
        Assert.Equal(types, frames.Select(f => f.EventType));
        foreach (var frame in frames)
        {
            using var data = JsonDocument.Parse(frame.Data);
            Assert.Equal(frame.EventType, data.RootElement.GetProperty("type").GetString());
            Assert.Equal("po-1", data.RootElement.GetProperty("poId").GetString());
        }
    }

    [Fact]
    public async Task The_enrichment_route_sends_progress_twice_and_ends_with_stream_end()
    {
        var bom = Unique.Id();
        var topic = $"bom:{bom}";
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/enrichment/stream/{bom}");
        var connected = await stream.NextAsync();
        Assert.Equal("connected", connected.EventType);
        Assert.Equal($$"""{"type":"connected","bom_id":"{{bom}}","message":"Stream connected"}""", connected.Data);

        var started = await PublishAsync(topic, EventTypes.EnrichmentStarted, SampleData.BomEvent(bom, EventTypes.EnrichmentStarted, 0));
        var progress = await PublishAsync(topic, EventTypes.EnrichmentProgress, SampleData.BomEvent(bom, EventTypes.EnrichmentProgress, 40));
        var completed = await PublishAsync(topic, EventTypes.EnrichmentCompleted, SampleData.BomEvent(bom, EventTypes.EnrichmentCompleted, 100));

        var frames = await stream.TakeAsync(5);
        Assert.Equal(
            [EventTypes.EnrichmentStarted, EventTypes.EnrichmentProgress, "progress", EventTypes.EnrichmentCompleted, "stream_end"],
            frames.Select(f => f.EventType));
        Assert.Equal([started, progress, progress, completed], frames.Take(4).Select(f => f.EventId));
        Assert.Equal(frames[1].Data, frames[2].Data);
        using (var state = JsonDocument.Parse(frames[2].Data))
        {
            Assert.Equal(40, state.RootElement.GetProperty("state").GetProperty("percent_complete").GetDouble());
            Assert.Equal(bom, state.RootElement.GetProperty("bom_id").GetString());
        }

        Assert.Equal($$"""{"type":"stream_end","reason":"{{EventTypes.EnrichmentCompleted}}"}""", frames[4].Data);
        await stream.WaitForEndAsync();
    }

    [Fact]
    public async Task The_batch_route_sends_unnamed_frames_and_closes_after_completed()
    {
        var batch = Unique.Id();
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/batches/{batch}/stream");
        var processing = await PublishAsync($"batch:{batch}", EventTypes.BatchProgress, SampleData.BatchProgress(50));
        var done = await PublishAsync($"batch:{batch}", EventTypes.BatchProgress, SampleData.BatchProgress(100, "completed"));

        var frames = await stream.TakeAsync(2);
        Assert.All(frames, f => Assert.Equal("message", f.EventType));
        Assert.Equal([processing, done], frames.Select(f => f.EventId));
        using (var data = JsonDocument.Parse(frames[1].Data))
        {
            Assert.Equal("completed", data.RootElement.GetProperty("stage").GetString());
        }

        await stream.WaitForEndAsync();
    }

    [Theory]
    [InlineData("bom")]
    [InlineData("batch")]
    public async Task A_late_connect_to_a_job_first_gets_its_latest_state(string family)
    {
        var id = Unique.Id();
        var (path, type, data) = family == "bom"
            ? ($"/api/enrichment/stream/{id}", EventTypes.EnrichmentProgress, SampleData.BomEvent(id, EventTypes.EnrichmentProgress, 52))
            : ($"/api/batches/{id}/stream", EventTypes.BatchProgress, SampleData.BatchProgress(52));
        await PublishAsync($"{family}:{id}", type, data);
        var latest = await PublishAsync($"{family}:{id}", type, family == "bom" ? SampleData.BomEvent(id, type, 53) : SampleData.BatchProgress(53));

        await using var stream = await SseTestClient.OpenAsync(Node, path);
        var first = await stream.NextAsync();
        if (first.EventType == "connected")
        {
            first = await stream.NextAsync();
        }

        Assert.Equal(latest, first.EventId);
        Assert.Contains("53", first.Data, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_reconnect_with_the_last_id_replays_exactly_the_missed_events(bool inQuery)
    {
        var batch = Unique.Id();
        var topic = $"batch:{batch}";
        string lastSeen;
        await using (var first = await SseTestClient.OpenAsync(Node, $"/api/batches/{batch}/stream"))
        {
            for (var i = 0; i < 5; i++)
            {
                await PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i));
            }

            lastSeen = (await first.TakeAsync(5))[^1].EventId!;
        }

        var missed = new List<string>();
        for (var i = 5; i < 15; i++)
        {
            missed.Add(await PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(i)));
        }

        await using var resumed = inQuery
            ? await SseTestClient.OpenAsync(Node, $"/api/batches/{batch}/stream?lastEventId={lastSeen}")
            : await SseTestClient.OpenAsync(Node, $"/api/batches/{batch}/stream", lastEventId: lastSeen);
        var live = await PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(99));

        var frames = await resumed.TakeAsync(11);
        Assert.Equal([.. missed, live], frames.Select(f => f.EventId));

        // Nothing was delivered twice: the next frame is a new marker event.
        var marker = await PublishAsync(topic, EventTypes.BatchProgress, SampleData.BatchProgress(100));
        Assert.Equal(marker, (await resumed.NextAsync()).EventId);
    }

    [Theory]
    [InlineData("/api/sse?topic=batch:{0}", "batch:{0}=0-0")]
    [InlineData("/api/batches/{0}/stream", "0-0")]
    [InlineData("/api/realtime/events/{0}", "0-0")]
    public async Task A_fresh_stream_of_an_empty_topic_is_told_its_start_so_a_reconnect_before_any_event_misses_nothing(string route, string expectedStart)
    {
        var id = Unique.Id();
        var topic = route.Contains("realtime", StringComparison.Ordinal) ? $"merchant:{id}" : $"batch:{id}";
        var path = string.Format(CultureInfo.InvariantCulture, route, id);

        // The stream is opened and closed before any event: all the client keeps is the id: it was told.
        var start = await ReadStartAsync(path);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, expectedStart, id), start);

        var (type, data) = topic.StartsWith("merchant", StringComparison.Ordinal)
            ? (EventTypes.MerchantProgress, (Func<int, object>)(i => new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", progress = i }))
            : (EventTypes.BatchProgress, i => SampleData.BatchProgress(i));
        var missed = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            missed.Add(await PublishAsync(topic, type, data(i)));
        }

        await using var resumed = await SseTestClient.OpenAsync(Node, path, lastEventId: start);
        var frames = (await resumed.TakeAsync(route.Contains("realtime", StringComparison.Ordinal) ? 4 : 3))
            .Where(f => f.EventType != "message" || !f.Data.Contains("\"connected\"", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(frames, f => f.EventType == "history.reset");
        Assert.Equal(missed, frames.Select(f => f.EventId!.Split('=')[^1]));
    }

    [Fact]
    public async Task A_fresh_merchant_stream_starts_after_the_topics_latest_event_and_a_reconnect_from_there_gets_only_what_came_later()
    {
        var merchant = Unique.Id();
        var topic = $"merchant:{merchant}";
        var before = await PublishAsync(topic, EventTypes.MerchantProgress, new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", progress = 10 });

        // A merchant stream starts from now (no latest event replayed), yet it is told where now is.
        var start = await ReadStartAsync($"/api/realtime/events/{merchant}");
        Assert.Equal(before, start);

        var after = await PublishAsync(topic, EventTypes.MerchantProgress, new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", progress = 20 });
        await using var resumed = await SseTestClient.OpenAsync(Node, $"/api/realtime/events/{merchant}", lastEventId: start);
        var frames = await resumed.TakeAsync(2);
        Assert.Contains("\"connected\"", frames[0].Data, StringComparison.Ordinal);
        Assert.Equal(after, frames[1].EventId);
    }

    [Theory]
    [InlineData("/api/sse?topic=batch:{0}")]
    [InlineData("/api/batches/{0}/stream")]
    public async Task A_resume_from_before_the_retained_history_first_gets_a_named_history_reset_frame(string route)
    {
        var batch = Unique.Id();
        var topic = $"batch:{batch}";
        var ids = await nodes.BoundedNode.PublishBatchProgressAsync(topic, ScenarioNodes.HistoryBound * 2);

        await using var resumed = await SseTestClient.OpenAsync(nodes.BoundedNode, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, batch), lastEventId: ids[0]);
        var frames = await resumed.TakeAsync(1 + ScenarioNodes.HistoryBound);

        // Named, so the products' listeners (and onmessage) pass it by; it carries no id to resume from.
        Assert.Equal("history.reset", frames[0].EventType);
        Assert.True(string.IsNullOrEmpty(frames[0].EventId), $"The reset frame carries id {frames[0].EventId}.");
        using var reset = JsonDocument.Parse(frames[0].Data);
        Assert.Equal(topic, reset.RootElement.GetProperty("topic").GetString());
        Assert.Equal(ids[0], reset.RootElement.GetProperty("requestedId").GetString());
        Assert.Equal(ids[ScenarioNodes.HistoryBound], reset.RootElement.GetProperty("oldestRetainedId").GetString());
        Assert.Equal(ids.Skip(ScenarioNodes.HistoryBound), frames.Skip(1).Select(SseTestClient.EventIdOf));
    }

    [Fact]
    public async Task A_resume_within_the_retained_history_gets_no_reset()
    {
        var batch = Unique.Id();
        var topic = $"batch:{batch}";
        var ids = await nodes.BoundedNode.PublishBatchProgressAsync(topic, ScenarioNodes.HistoryBound + 2);

        await using var resumed = await SseTestClient.OpenAsync(nodes.BoundedNode, $"/api/batches/{batch}/stream", lastEventId: ids[2]);
        var frames = await resumed.TakeAsync(ids.Count - 3);

        Assert.Equal(ids.Skip(3), frames.Select(f => f.EventId));
    }

    [Fact]
    public async Task A_several_topic_stream_resumes_every_topic_from_its_composite_id()
    {
        var (a, b) = ($"batch:{Unique.Id()}", $"batch:{Unique.Id()}");
        string cursor;
        await using (var first = await SseTestClient.OpenAsync(Node, $"/api/sse?topic={a}&topic={b}"))
        {
            await PublishAsync(a, EventTypes.BatchProgress, SampleData.BatchProgress(1));
            await PublishAsync(b, EventTypes.BatchProgress, SampleData.BatchProgress(2));
            cursor = (await first.TakeAsync(2))[^1].EventId!;
        }

        var missedA = await PublishAsync(a, EventTypes.BatchProgress, SampleData.BatchProgress(3));
        var missedB = await PublishAsync(b, EventTypes.BatchProgress, SampleData.BatchProgress(4));
        await using var resumed = await SseTestClient.OpenAsync(Node, $"/api/sse?topic={a}&topic={b}", lastEventId: cursor);

        var frames = await resumed.TakeAsync(2);
        var ids = frames.Select(f => JsonDocument.Parse(f.Data).RootElement.GetProperty("id").GetString()).ToList();
        Assert.Equal([missedA, missedB], ids);
        Assert.Equal($"{a}={missedA},{b}={missedB}", frames[^1].EventId);
    }

    [Theory]
    [InlineData("bom")]
    [InlineData("batch")]
    public async Task A_reconnect_after_the_terminal_event_gets_204(string family)
    {
        var id = Unique.Id();
        var terminal = family == "bom"
            ? await PublishAsync($"bom:{id}", EventTypes.EnrichmentFailed, SampleData.BomEvent(id, EventTypes.EnrichmentFailed, 70))
            : await PublishAsync($"batch:{id}", EventTypes.BatchProgress, SampleData.BatchProgress(70, "failed"));
        var path = family == "bom" ? $"/api/enrichment/stream/{id}" : $"/api/batches/{id}/stream";

        await using var late = await SseTestClient.OpenAsync(Node, path);
        Assert.Equal(HttpStatusCode.OK, late.Status);
        await late.WaitForEndAsync();
        Assert.Contains(late.Drain(), f => f.EventId == terminal);

        await using var reconnect = await SseTestClient.OpenAsync(Node, path, lastEventId: terminal);
        Assert.Equal(HttpStatusCode.NoContent, reconnect.Status);
    }

    [Fact]
    public async Task Line_breaks_inside_event_data_never_break_a_frame()
    {
        var batch = Unique.Id();
        await using var stream = await SseTestClient.OpenAsync(Node, $"/api/batches/{batch}/stream");
        await PublishAsync($"batch:{batch}", EventTypes.BatchProgress, new { stage = "x", message = "line one\nline two\r\ndata: forged" });

        var frame = await stream.NextAsync();
        using var data = JsonDocument.Parse(frame.Data);
        Assert.Equal("line one\nline two\r\ndata: forged", data.RootElement.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("/api/enrichment/stream/a%3Ab", "bomId")]
    [InlineData("/api/batches/has%20space/stream", "batchId")]
    [InlineData("/api/realtime/events/star*", "merchantId")]
    [InlineData("/api/sse", "topic")]
    [InlineData("/api/sse?topic=bom:", "topic")]
    [InlineData("/api/sse?topic=queue:1", "topic")]
    [InlineData("/api/realtime/events", "merchantId")]
    [InlineData("/api/batches/ok/stream?lastEventId=yesterday", "Last-Event-ID")]
    [InlineData("/api/sse?topic=bom:1&lastEventId=bom:1%3Dx", "Last-Event-ID")]
    [InlineData("/api/batches/ok/stream?lastEventId=1-2%0A3", "Last-Event-ID")]
    public async Task A_bad_stream_request_gets_400_naming_the_bad_part(string path, string field)
    {
        using var response = await Node.Http.GetAsync(path);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_stream_asking_for_too_many_topics_gets_400()
    {
        var query = string.Join("&", Enumerable.Range(0, 51).Select(i => $"topic=bom:{i}"));
        using var response = await Node.Http.GetAsync($"/api/sse?{query}");
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("at most 50", problem.Detail(), StringComparison.Ordinal);
    }

    /// <summary>Opens a stream, reads it raw until the first frame of an id: line alone has come, and returns that id.</summary>
    private async Task<string> ReadStartAsync(string path)
    {
        static Match Start(string text) => Regex.Match(text, "(?:^|\n\n)id: ([^\n]*)\n\n");
        var raw = await SseTestClient.ReadRawAsync(Node, path, Eventually.DefaultTimeout, enough: text => Start(text).Success);
        var start = Start(raw);
        Assert.True(start.Success, $"No frame of an id: line alone in: {raw}");
        return start.Groups[1].Value;
    }

    private async Task<string> PublishAsync(string topic, string type, object data)
    {
        using var response = await Node.PublishAsync(topic, type, data);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }
}

[Collection(EmbeddedNodesDefinition.Name)]
public sealed class SseRoutesOnTheEmbeddedDefault(EmbeddedNodes nodes) : SseRouteScenarios(nodes);

[Collection(RedisNodesDefinition.Name)]
public sealed class SseRoutesOnRedis(RedisNodes nodes) : SseRouteScenarios(nodes);
