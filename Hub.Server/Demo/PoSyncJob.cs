using System.Globalization;
using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// A PO sync workflow of one merchant: <c>ai_parsing</c>, <c>database_save</c> and
/// <c>shopify_sync</c>, each a <c>stage</c> event, <c>progress</c> events with the workflow's own percentages,
/// and a <c>completion</c>; a failing job ends with an <c>error</c> in one of the stages.
/// </summary>
internal sealed class PoSyncJob(string merchantId, int poNumber, bool fails)
    : DemoJob(Contracts.Topics.Topic.Merchant(merchantId).ToString(), fails)
{
    /// <summary>The merchant whose stream the job publishes on; one job per merchant at a time.</summary>
    public string MerchantId { get; } = merchantId;

    public override async Task RunAsync(DemoScript script, CancellationToken cancellationToken)
    {
        var random = DemoScript.Random;
        var po = new Po(Topic, $"PO-{poNumber.ToString(CultureInfo.InvariantCulture)}", $"wf_{Hex(8)}", script, cancellationToken);
        var failingStage = Fails ? random.Next(3) : -1;
        var lineItems = random.Next(4, 24);
        var chunks = random.Next(2, 5);

        // AI parsing: 5 -> 10 -> one step per chunk of the document -> 90 -> completion, as the PO sync workflow reports it.
        await po.StageAsync("ai_parsing", "AI parsing started");
        await po.ProgressAsync("ai_parsing", 5, "Extracting text from the PDF");
        await po.ProgressAsync("ai_parsing", 10, "Sending the document to the model");
        for (var chunk = 1; chunk <= chunks; chunk++)
        {
            if (failingStage == 0 && chunk == chunks)
            {
                await po.ErrorAsync("ai_parsing", "AI parsing failed: the model found no line items (confidence 41%)");
                return;
            }

            await po.ProgressAsync("ai_parsing", 10 + (80 * chunk / chunks), $"Parsing chunk {chunk}/{chunks}", new { current = chunk, total = chunks });
        }

        await po.CompletionAsync(new { stage = "ai_parsing", poId = po.PoId, workflowId = po.WorkflowId, status = "completed", lineItems, confidence = random.Next(86, 99) });

        // Database save: 10 -> 30 (validated) -> 60 (saved) -> 90 -> completion, counting line items.
        await po.StageAsync("database_save", "Saving to database");
        await po.ProgressAsync("database_save", 10, "Preparing records");
        await po.ProgressAsync("database_save", 30, "Validating AI results");
        if (failingStage == 1)
        {
            await po.ErrorAsync("database_save", "Database connection failed");
            return;
        }

        var saved = 0;
        while (saved < lineItems)
        {
            saved = Math.Min(lineItems, saved + random.Next(3, 7));
            await po.ItemsAsync("database_save", 30 + (60 * saved / lineItems), $"Saved {saved} line items", saved, lineItems);
        }

        await po.CompletionAsync(new { stage = "database_save", poId = po.PoId, workflowId = po.WorkflowId, status = "completed", lineItems, purchaseOrderId = $"c{Hex(12)}" });

        // Shopify sync: 10 -> 50 -> 90 -> 100 -> completion.
        await po.StageAsync("shopify_sync", "Syncing to Shopify");
        await po.ProgressAsync("shopify_sync", 10, "Creating the draft order");
        await po.ProgressAsync("shopify_sync", 50, $"Uploading {lineItems} line items");
        if (failingStage == 2)
        {
            await po.ErrorAsync("shopify_sync", "Shopify API rate limit exceeded (429); the sync will be retried");
            return;
        }

        await po.ProgressAsync("shopify_sync", 90, "Attaching product images");
        await po.ProgressAsync("shopify_sync", 100, "Order synced");
        var shopifyOrderId = $"gid://shopify/Order/{random.NextInt64(5_000_000_000, 6_000_000_000).ToString(CultureInfo.InvariantCulture)}";
        await po.CompletionAsync(new { stage = "shopify_sync", poId = po.PoId, workflowId = po.WorkflowId, status = "completed", shopifyOrderId });
    }

    /// <summary>One workflow's events, with the fields every merchant payload carries.</summary>
    private sealed class Po(string topic, string poId, string workflowId, DemoScript script, CancellationToken cancellationToken)
    {
        public async Task StageAsync(string stage, string message)
        {
            await script.PauseAsync(0.8, cancellationToken);
            await script.EmitAsync(topic, EventTypes.MerchantStage, new { stage, poId, workflowId, status = "started", message }, cancellationToken);
        }

        public async Task ProgressAsync(string stage, int progress, string message, object? chunkProgress = null)
        {
            await script.PauseAsync(1, cancellationToken);
            await script.EmitAsync(topic, EventTypes.MerchantProgress, chunkProgress is null
                ? new { poId, workflowId, stage, progress, message }
                : new { poId, workflowId, stage, progress, message, chunkProgress }, cancellationToken);
        }

        public async Task ItemsAsync(string stage, int progress, string message, int itemsProcessed, int totalItems)
        {
            await script.PauseAsync(0.9, cancellationToken);
            await script.EmitAsync(topic, EventTypes.MerchantProgress, new { poId, workflowId, stage, progress, message, itemsProcessed, totalItems }, cancellationToken);
        }

        public string PoId => poId;

        public string WorkflowId => workflowId;

        /// <summary>Publishes a stage's completion; <paramref name="data"/> carries the stage's own fields, as the PO sync workflow sends them.</summary>
        public async Task CompletionAsync(object data)
        {
            await script.PauseAsync(0.5, cancellationToken);
            await script.EmitAsync(topic, EventTypes.MerchantCompletion, data, cancellationToken);
        }

        public async Task ErrorAsync(string stage, string error)
        {
            await script.PauseAsync(1, cancellationToken);
            await script.EmitAsync(topic, EventTypes.MerchantError, new { stage, poId, workflowId, status = "failed", error }, cancellationToken);
        }
    }
}
