using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Server.Tracing;
using RealtimeHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RealtimeHub.Tests.Tracing;

/// <summary>
/// The event path's spans, read with OpenTelemetry's in-memory exporter from real nodes: a publish with a
/// W3C <c>traceparent</c> continues the caller's trace with its validate, append and hand-off steps, the
/// context is stored with the event, and each SSE delivery (live, across nodes through Redis, and replayed
/// from the history) links back to the publish. Activity listeners hear every node in the test process, so
/// spans are told apart by the test's own topic.
/// </summary>
public sealed class EventTracingTests
{
    private const string CallerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpanId = "00f067aa0ba902b7";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_publish_continues_the_callers_trace_and_every_delivery_links_to_it(bool redis)
    {
        await using var store = redis ? await RedisServer.StartAsync() : null;
        var spans = new SpanCollection();
        await using var publisher = await HubNode.StartAsync(store?.ConnectionString, services: s => s.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(EventTracing.SourceName)
            .AddAspNetCoreInstrumentation()
            .AddInMemoryExporter(spans)));

        // With Redis the subscriber is another node, so the context crosses the backplane.
        await using var other = redis ? await HubNode.StartAsync(store!.ConnectionString) : null;
        var subscriberNode = other ?? publisher;
        var topic = $"batch:{Unique.Id()}";
        await using var live = await SseTestClient.OpenAsync(subscriberNode, $"/api/sse?topic={topic}");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/topics/{Uri.EscapeDataString(topic)}/events")
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { type = EventTypes.BatchProgress, data = new { stage = "processing", progress_percentage = 10 } }),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{CallerTraceId}-{CallerSpanId}-01");
        using var response = await publisher.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<PublishAccepted>())!.Id;

        var frame = await live.NextAsync();
        Assert.Equal(id, SseTestClient.EventIdOf(frame));
        Assert.DoesNotContain(CallerTraceId, frame.Data, StringComparison.Ordinal);

        // A resume from before the event replays it from the history, where its context was stored.
        await using var resumed = await SseTestClient.OpenAsync(subscriberNode, $"/api/sse?topic={topic}", lastEventId: $"{topic}=0-1");
        Assert.Equal(id, SseTestClient.EventIdOf(await resumed.NextAsync()));

        var publish = await SingleAsync(spans, "realtimehub.publish", topic, s => Tag(s, EventTracing.IdTag) == id);
        Assert.Equal(CallerTraceId, publish.TraceId.ToHexString());
        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal(EventTypes.BatchProgress, Tag(publish, EventTracing.TypeTag));

        foreach (var step in new[] { EventTracing.ValidateStep, EventTracing.AppendStep, EventTracing.HandOffStep })
        {
            Assert.Contains(spans.Snapshot(), s => s.OperationName == step && s.ParentSpanId == publish.SpanId);
        }

        foreach (var kind in new[] { "live", "replay" })
        {
            var delivery = await SingleAsync(spans, "realtimehub.deliver", topic, s => Tag(s, EventTracing.DeliveryTag) == kind);
            Assert.Equal(id, Tag(delivery, EventTracing.IdTag));
            var link = Assert.Single(delivery.Links);
            Assert.Equal(publish.TraceId, link.Context.TraceId);
            Assert.Equal(publish.SpanId, link.Context.SpanId);
        }
    }

    [Fact]
    public async Task A_message_taken_from_a_products_channel_is_a_bridge_span_around_its_publish()
    {
        await using var store = await RedisServer.StartAsync();
        var spans = new SpanCollection();
        await using var node = await HubNode.StartAsync(store.ConnectionString, services: s => s.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(EventTracing.SourceName)
            .AddInMemoryExporter(spans)));
        var batchId = Unique.Id();
        var topic = $"batch:{batchId}";
        await using var stream = await SseTestClient.OpenAsync(node, $"/api/sse?topic={topic}");

        await using var redis = await ConnectionMultiplexer.ConnectAsync(store.ConnectionString);
        await redis.GetSubscriber().PublishAsync(
            RedisChannel.Literal($"batch:{batchId}:progress"), """{"stage":"processing","progress_percentage":30}""");
        var id = SseTestClient.EventIdOf(await stream.NextAsync());

        var publish = await SingleAsync(spans, "realtimehub.publish", topic, s => Tag(s, EventTracing.IdTag) == id);
        var bridged = await SingleAsync(spans, s => s.OperationName == "realtimehub.bridge" && s.SpanId == publish.ParentSpanId, "the bridge span around the publish");
        Assert.Equal($"batch:{batchId}:progress", Tag(bridged, EventTracing.ChannelTag));
        Assert.Equal(ActivityKind.Consumer, bridged.Kind);
    }

    [Fact]
    public async Task Traces_are_exported_only_when_an_otlp_endpoint_is_set()
    {
        await using (var plain = await HubNode.StartAsync(null))
        {
            Assert.Null(plain.Services.GetService<TracerProvider>());
        }

        await using var exporting = await HubNode.StartAsync(null, new Dictionary<string, string?>
        {
            [TracingExtensions.EndpointSetting] = "http://127.0.0.1:4317",
        });
        Assert.NotNull(exporting.Services.GetService<TracerProvider>());
    }

    private static string? Tag(Activity span, string name) => span.GetTagItem(name)?.ToString();

    /// <summary>Waits for the one ended span of <paramref name="name"/> on <paramref name="topic"/> that matches.</summary>
    private static Task<Activity> SingleAsync(SpanCollection spans, string name, string topic, Func<Activity, bool> match) =>
        SingleAsync(spans, s => s.OperationName == name && Tag(s, EventTracing.TopicTag) == topic && match(s), $"one {name} span of {topic}");

    /// <summary>Waits for the one ended span that matches; spans end, and are exported, as their work finishes.</summary>
    private static async Task<Activity> SingleAsync(SpanCollection spans, Func<Activity, bool> match, string what)
    {
        await Eventually.HoldsAsync(() => spans.Snapshot().Count(match) == 1, what);
        return spans.Snapshot().Single(match);
    }
}
