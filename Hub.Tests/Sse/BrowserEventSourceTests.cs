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
/// do, in real headless Chromium, with credentials, through the hub's CORS.
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

    private static async Task<string> Publish(HubNode node, string topic, string type, object data)
    {
        using var response = await node.PublishAsync(topic, type, data);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }
}
