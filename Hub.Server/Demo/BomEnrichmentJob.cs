using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// A BOM enrichment workflow: <c>enrichment.started</c>, one <c>enrichment.progress</c>
/// per batch of line items with the enrichment service's envelope and state, then <c>enrichment.completed</c>, or
/// <c>enrichment.failed</c> part-way for a failing job.
/// </summary>
internal sealed class BomEnrichmentJob(string bomId, string organizationId, bool fails)
    : DemoJob(Contracts.Topics.Topic.Bom(bomId).ToString(), fails)
{
    private static readonly string[] Parts =
    [
        "STM32F407VGT6", "LM317T", "GRM188R71H104KA93D", "RC0603FR-0710KL", "ATMEGA328P-AU", "TPS62130RGTR",
        "BSS138LT1G", "NE555DR", "SN74HC595N", "ESP32-WROOM-32E", "MAX3232ESE+", "AMS1117-3.3", "1N4148WS", "LTC3780EGN",
    ];

    private static readonly string[] Sources = ["DigiKey", "Mouser", "Octopart", "Arrow"];

    public override async Task RunAsync(DemoScript script, CancellationToken cancellationToken)
    {
        var random = DemoScript.Random;
        var projectId = Guid.NewGuid().ToString();
        var userId = Guid.NewGuid().ToString();
        var runId = Guid.NewGuid().ToString();
        var batchSize = random.Next(2) == 0 ? 10 : 20;
        var total = batchSize * random.Next(5, 12);
        var batches = total / batchSize;
        var failingBatch = Fails ? random.Next(2, batches) : -1;
        var startedAt = script.NowText;
        long enriched = 0, failed = 0;

        object Envelope(string type, object state, object payload) => new
        {
            event_id = Guid.NewGuid().ToString(),
            event_type = type,
            routing_key = $"customer.{type}",
            bom_id = bomId,
            organization_id = organizationId,
            project_id = projectId,
            user_id = userId,
            source = "customer",
            workflow_id = $"bom-enrichment-{bomId}",
            workflow_run_id = runId,
            state,
            payload,
            created_at = script.NowText,
        };

        object State(string status, int batch, object? currentItem = null, string? completedAt = null) => new
        {
            status,
            total_items = total,
            enriched_items = enriched,
            failed_items = failed,
            pending_items = total - enriched - failed,
            current_batch = batch,
            total_batches = batches,
            percent_complete = Math.Round(100.0 * (enriched + failed) / total, 1),
            started_at = startedAt,
            completed_at = completedAt,
            last_update = script.NowText,
            current_item = currentItem,
        };

        await script.PauseAsync(0.5, cancellationToken);
        await script.EmitAsync(Topic, EventTypes.EnrichmentStarted, Envelope(EventTypes.EnrichmentStarted, State("enriching", 0), new { batch_size = batchSize, priority = 7 }), cancellationToken);

        for (var batch = 1; batch <= batches; batch++)
        {
            await script.PauseAsync(1.6, cancellationToken);
            var mpn = Parts[random.Next(Parts.Length)];
            if (batch == failingBatch)
            {
                var error = $"Supplier lookup unavailable: {Sources[random.Next(Sources.Length)]} answered 503 for batch {batch} three times";
                await script.EmitAsync(Topic, EventTypes.EnrichmentFailed, Envelope(
                    EventTypes.EnrichmentFailed,
                    State("failed", batch, new { mpn, status = "error", message = error }),
                    new { error, batch = new { batch_number = batch, batch_size = batchSize, completed = 0 } }), cancellationToken);
                return;
            }

            // A few parts of a batch find no match; they count as processed (the enrichment service reports 50 + 2 as 52 %).
            var unmatched = random.Next(10) == 0 ? 1 : 0;
            enriched += batchSize - unmatched;
            failed += unmatched;
            var item = new { mpn, status = "enriched", message = $"Matched on {Sources[random.Next(Sources.Length)]}" };
            await script.EmitAsync(Topic, EventTypes.EnrichmentProgress, Envelope(
                EventTypes.EnrichmentProgress,
                State("enriching", batch, item),
                new { batch = new { batch_number = batch, batch_size = batchSize, completed = batchSize } }), cancellationToken);
        }

        await script.PauseAsync(0.5, cancellationToken);
        await script.EmitAsync(Topic, EventTypes.EnrichmentCompleted, Envelope(
            EventTypes.EnrichmentCompleted,
            State("completed", batches, completedAt: script.NowText),
            new { summary = new { enriched_items = enriched, failed_items = failed, total_items = total } }), cancellationToken);
    }
}
