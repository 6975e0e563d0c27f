using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Tests.Infrastructure;

namespace RealtimeHub.Tests.Sse;

/// <summary>
/// The existing front ends, unchanged: a page on another origin opens native EventSource streams the way
/// the PO sync page (merchant listeners), the enrichment portal (its <c>progress</c> listener) and the batch page (<c>onmessage</c>)
/// do, in real headless Chromium, with credentials, through the hub's CORS; and native EventSource resuming
/// a fresh stream from where the hub said it begins.
/// </summary>
public sealed class BrowserEventSourceTests
{
    private const string Page = """
        <!doctype html>
        <html><body><script>
          const hub = '__HUB__', id = '__ID__';
          const result = { merchant: [], bomConnected: null, bomPercents: [], bomCompleted: null, batch: [] };
          window.__result = result;
          let open = 0, finished = 0;
          const opened = () => { if (++open === 3) fetch('/ready'); };
          const finish = () => { if (++finished === 3) window.__done = true; };

          // Seed 000: useSSEUpdates listens per event type.
          const merchant = new EventSource(`${hub}/api/realtime/events/${id}`, { withCredentials: true });
          merchant.onopen = opened;
          for (const type of ['stage', 'progress', 'completion', 'error']) {
            merchant.addEventListener(type, (e) => {
              if (!e.data) return; // 'error' also fires for connection errors, without data
              const data = JSON.parse(e.data);
              result.merchant.push({ event: type, type: data.type, stage: data.stage, progress: data.progress });
              if (type === 'completion') { merchant.close(); finish(); }
            });
          }

          // Seed 002: the customer portal's useEnrichmentSSE.
          const bom = new EventSource(`${hub}/api/enrichment/stream/${id}?token=unused`, { withCredentials: true });
          bom.onopen = opened;
          bom.addEventListener('connected', (e) => { result.bomConnected = JSON.parse(e.data); });
          bom.addEventListener('progress', (e) => { result.bomPercents.push(JSON.parse(e.data).state.percent_complete); });
          bom.addEventListener('enrichment.completed', (e) => {
            result.bomCompleted = JSON.parse(e.data).state.percent_complete;
            bom.close(); finish();
          });

          // Seed 004: the batch upload flow reads unnamed frames through onmessage.
          const batch = new EventSource(`${hub}/api/batches/${id}/stream`, { withCredentials: true });
          batch.onopen = opened;
          batch.onmessage = (event) => {
            const data = JSON.parse(event.data);
            result.batch.push({ stage: data.stage, percent: data.progress_percentage, lastEventId: event.lastEventId });
            if (data.stage === 'completed' || data.stage === 'failed') { batch.close(); finish(); }
          };
        </script></body></html>
        """;

    private const string ResumingPage = """
        <!doctype html>
        <html><body><script>
          const result = { events: [] };
          window.__result = result;

          // The batch page's way of reading its stream; the stream is the test's pass-through to the hub.
          const batch = new EventSource('/stream');
          batch.onmessage = (event) => {
            const data = JSON.parse(event.data);
            result.events.push({ stage: data.stage, percent: data.progress_percentage, lastEventId: event.lastEventId });
            if (data.stage === 'completed' || data.stage === 'failed') { batch.close(); window.__done = true; }
          };
        </script></body></html>
        """;

    // Not passed through: hop-by-hop headers and those the test app's own server writes.
    private static readonly HashSet<string> PassThroughSkips = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Date", "Server",
    };

    [Fact]
    public async Task Pages_written_for_the_three_products_receive_their_events_from_the_hub()
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var id = Unique.Id();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var pages = builder.Build();
        string? hubAddress = null;
        pages.MapGet("/", () => Results.Content(Page.Replace("__HUB__", hubAddress, StringComparison.Ordinal).Replace("__ID__", id, StringComparison.Ordinal), "text/html"));
        pages.MapGet("/ready", () =>
        {
            ready.TrySetResult();
            return Results.Ok();
        });
        await pages.StartAsync();
        var pageOrigin = pages.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var node = await HubNode.StartAsync(null, new Dictionary<string, string?> { ["Cors:Origins:0"] = pageOrigin });
        hubAddress = node.BaseAddress.ToString().TrimEnd('/');

        var browsing = HeadlessBrowser.RunPageAsync(new Uri(pageOrigin), TimeSpan.FromSeconds(60));
        await Eventually.WithinAsync(Task.WhenAny(ready.Task, browsing), "the page to open its three streams", TimeSpan.FromSeconds(60));
        Assert.True(ready.Task.IsCompleted, "The page finished before opening its streams.");

        await Publish(node, $"merchant:{id}", EventTypes.MerchantStage, new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", status = "started" });
        await Publish(node, $"merchant:{id}", EventTypes.MerchantProgress, new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", progress = 30 });
        await Publish(node, $"merchant:{id}", EventTypes.MerchantProgress, new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", progress = 90 });
        await Publish(node, $"merchant:{id}", EventTypes.MerchantCompletion, new { stage = "ai_parsing", poId = "po-1", workflowId = "wf-1", lineItems = 5 });
        await Publish(node, $"bom:{id}", EventTypes.EnrichmentStarted, SampleData.BomEvent(id, EventTypes.EnrichmentStarted, 0));
        await Publish(node, $"bom:{id}", EventTypes.EnrichmentProgress, SampleData.BomEvent(id, EventTypes.EnrichmentProgress, 25));
        await Publish(node, $"bom:{id}", EventTypes.EnrichmentProgress, SampleData.BomEvent(id, EventTypes.EnrichmentProgress, 52));
        await Publish(node, $"bom:{id}", EventTypes.EnrichmentCompleted, SampleData.BomEvent(id, EventTypes.EnrichmentCompleted, 100));
        var processing = await Publish(node, $"batch:{id}", EventTypes.BatchProgress, SampleData.BatchProgress(51.5, "processing_sheets"));
        var completed = await Publish(node, $"batch:{id}", EventTypes.BatchProgress, SampleData.BatchProgress(100, "completed"));

        var result = await browsing;

        var merchant = result.GetProperty("merchant").EnumerateArray().ToList();
        Assert.Equal(["stage", "progress", "progress", "completion"], merchant.Select(m => m.GetProperty("event").GetString()));
        Assert.Equal(["stage", "progress", "progress", "completion"], merchant.Select(m => m.GetProperty("type").GetString()));
        Assert.Equal([30, 90], merchant.Where(m => m.GetProperty("event").GetString() == "progress").Select(m => m.GetProperty("progress").GetDouble()));

        Assert.Equal(id, result.GetProperty("bomConnected").GetProperty("bom_id").GetString());
        Assert.Equal([25.0, 52.0], result.GetProperty("bomPercents").EnumerateArray().Select(p => p.GetDouble()));
        Assert.Equal(100, result.GetProperty("bomCompleted").GetDouble());

        var batch = result.GetProperty("batch").EnumerateArray().ToList();
        Assert.Equal(["processing_sheets", "completed"], batch.Select(b => b.GetProperty("stage").GetString()));
        Assert.Equal([51.5, 100.0], batch.Select(b => b.GetProperty("percent").GetDouble()));
        Assert.Equal([processing, completed], batch.Select(b => b.GetProperty("lastEventId").GetString()));
    }

    /// <summary>
    /// Real Chromium's EventSource keeps the id-only frame that opens a stream of a topic with no events as its
    /// last event id: when that stream ends before any event, the browser reconnects by itself with
    /// <c>Last-Event-ID: 0-0</c> and receives, once each and in order, the three events published while it was
    /// away (without the frame it would reconnect as a fresh client and get only the latest of them).
    /// </summary>
    [Fact]
    public async Task A_browser_whose_stream_ends_before_any_event_resumes_from_where_the_hub_said_it_began()
    {
        var id = Unique.Id();

        // A short retry so the browser comes back soon; a short heartbeat so that, were the hub to send no
        // id-only frame, its first keepalive would end the first stream in the frame's place.
        await using var node = await HubNode.StartAsync(null, new Dictionary<string, string?>
        {
            ["Sse:Retry"] = "00:00:00.200",
            ["Sse:Heartbeat"] = "00:00:00.200",
        });

        var lastEventIds = new ConcurrentQueue<string?>();
        var firstEnded = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = 0;

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var pages = builder.Build();
        pages.MapGet("/", () => Results.Content(ResumingPage, "text/html"));

        // The page's stream, passed through to the hub's batch route as it arrives. The first response ends
        // at the first frame after retry: (the id-only frame); a reconnect reaches the hub only once the
        // events have been published, so they are all published while the browser has no stream.
        pages.MapGet("/stream", async (HttpContext context) =>
        {
            var first = Interlocked.Increment(ref requests) == 1;
            var lastEventId = context.Request.Headers.TryGetValue("Last-Event-ID", out var sent) ? sent.ToString() : null;
            lastEventIds.Enqueue(lastEventId);
            if (!first)
            {
                await published.Task.WaitAsync(context.RequestAborted);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/batches/{id}/stream");
            if (lastEventId is not null)
            {
                request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
            }

            using var response = await node.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            {
                if (!PassThroughSkips.Contains(name))
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await context.Response.StartAsync(context.RequestAborted);
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            var buffer = new byte[4096];
            var text = new StringBuilder();
            var decoder = Encoding.UTF8.GetDecoder();
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            int read;
            while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (first)
                {
                    text.Append(chars, 0, decoder.GetChars(buffer, 0, read, chars, 0));
                    if (TryReadFirstFrame(text.ToString(), out var idOnly))
                    {
                        firstEnded.TrySetResult(idOnly);
                        return;
                    }
                }
            }
        });
        await pages.StartAsync();
        var pageOrigin = pages.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var browsing = HeadlessBrowser.RunPageAsync(new Uri(pageOrigin), TimeSpan.FromSeconds(60));
        await Eventually.WithinAsync(Task.WhenAny(firstEnded.Task, browsing), "the page's first stream to end", TimeSpan.FromSeconds(60));
        Assert.True(firstEnded.Task.IsCompleted, "The page finished before its first stream ended.");
        var start = await firstEnded.Task;

        // The last is the batch's terminal event: the stream ends after it and the page closes, so any event
        // delivered twice would show in the page's list.
        string[] ids =
        [
            await Publish(node, $"batch:{id}", EventTypes.BatchProgress, SampleData.BatchProgress(20, "processing_sheets")),
            await Publish(node, $"batch:{id}", EventTypes.BatchProgress, SampleData.BatchProgress(60, "processing_sheets")),
            await Publish(node, $"batch:{id}", EventTypes.BatchProgress, SampleData.BatchProgress(100, "completed")),
        ];
        published.TrySetResult();

        var result = await browsing;

        Assert.Equal(HubEventId.Beginning.ToString(), start);
        Assert.Equal(new[] { null, start }, lastEventIds.AsEnumerable());
        var events = result.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(ids, events.Select(e => e.GetProperty("lastEventId").GetString()));
        Assert.Equal(["processing_sheets", "processing_sheets", "completed"], events.Select(e => e.GetProperty("stage").GetString()));
        Assert.Equal([20.0, 60.0, 100.0], events.Select(e => e.GetProperty("percent").GetDouble()));
    }

    /// <summary>
    /// True once <paramref name="text"/>, what a stream has sent so far, holds a complete frame after its
    /// <c>retry:</c>; <paramref name="idOnly"/> is that frame's id when it is a frame of an <c>id:</c> line alone.
    /// </summary>
    private static bool TryReadFirstFrame(string text, out string? idOnly)
    {
        idOnly = null;
        var frames = text.Split("\n\n");
        foreach (var frame in frames[..^1])
        {
            var lines = frame.Split('\n');
            if (lines.All(line => line.StartsWith("retry:", StringComparison.Ordinal)))
            {
                continue;
            }

            if (lines is [var line] && line.StartsWith("id:", StringComparison.Ordinal))
            {
                var value = line["id:".Length..];
                idOnly = value.StartsWith(' ') ? value[1..] : value;
            }

            return true;
        }

        return false;
    }

    private static async Task<string> Publish(HubNode node, string topic, string type, object data)
    {
        using var response = await node.PublishAsync(topic, type, data);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}
