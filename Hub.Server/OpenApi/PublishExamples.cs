using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Publishing;

namespace RealtimeHub.Server.OpenApi;

/// <summary>
/// The publishing routes' JSON bodies, which the routes read themselves (so that every malformed body
/// gets the hub's own problem answer), and their examples: one event of each product (PO sync, BOM
/// enrichment, OMR batches) in its own field names, as a single publish (the <c>topic</c> parameter's
/// example of the same name goes with each body) and together as one batch.
/// </summary>
internal static class PublishExamples
{
    private const string JsonContentType = "application/json";

    private static readonly (string Name, string Summary, string Topic, string Type, Func<JsonObject> Data)[] Products =
    [
        ("merchant", "PO sync: a workflow stage's progress", "merchant:m-1001", EventTypes.MerchantProgress, () => new JsonObject
        {
            ["poId"] = "PO-5521",
            ["workflowId"] = "wf-88",
            ["stage"] = "line_items",
            ["status"] = "processing",
            ["progress"] = 40,
            ["message"] = "Matching line items",
            ["itemsProcessed"] = 20,
            ["totalItems"] = 50,
            ["chunkProgress"] = new JsonObject { ["current"] = 2, ["total"] = 5 },
        }),
        ("bom", "BOM enrichment: the enrichment service's envelope", "bom:42", EventTypes.EnrichmentProgress, () => new JsonObject
        {
            ["event_type"] = EventTypes.EnrichmentProgress,
            ["bom_id"] = "42",
            ["source"] = "enrichment-worker",
            ["workflow_id"] = "bom-42-enrich",
            ["state"] = new JsonObject
            {
                ["status"] = "enriching",
                ["total_items"] = 100,
                ["enriched_items"] = 52,
                ["failed_items"] = 1,
                ["pending_items"] = 47,
                ["percent_complete"] = 52,
                ["current_item"] = new JsonObject { ["mpn"] = "LM358DR", ["status"] = "enriching", ["message"] = "Looking up suppliers" },
            },
        }),
        ("batch", "OMR batches: a stage of a scanned-sheet batch", "batch:7", EventTypes.BatchProgress, () => new JsonObject
        {
            ["stage"] = "processing",
            ["message"] = "Reading sheets",
            ["progress_percentage"] = 40,
            ["sheets_total"] = 10,
            ["sheets_processed"] = 4,
            ["elapsed_seconds"] = 12.5,
        }),
    ];

    /// <summary>The body of <c>POST /api/topics/{topic}/events</c>, with a body and a topic per product under the same name.</summary>
    public static async Task DescribeSingle(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var body = await DescribeBodyAsync<PublishEventRequest>(operation, context, cancellationToken);
        var topic = operation.Parameters?.OfType<OpenApiParameter>().Single(p => p.Name == "topic")
            ?? throw new InvalidOperationException("The publishing route has no topic parameter.");
        topic.Examples ??= new Dictionary<string, IOpenApiExample>();
        foreach (var product in Products)
        {
            topic.Examples[product.Name] = new OpenApiExample { Summary = product.Summary, Value = product.Topic };
            body[product.Name] = new OpenApiExample
            {
                Summary = product.Summary,
                Value = new JsonObject { ["type"] = product.Type, ["data"] = product.Data() },
            };
        }
    }

    /// <summary>The body of <c>POST /api/events</c>, with one event of each product in one call as its example.</summary>
    public static async Task DescribeBatch(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var body = await DescribeBodyAsync<List<BatchPublishItem>>(operation, context, cancellationToken);
        var items = new JsonArray();
        foreach (var product in Products)
        {
            items.Add(new JsonObject { ["topic"] = product.Topic, ["type"] = product.Type, ["data"] = product.Data() });
        }

        body["all-products"] = new OpenApiExample { Summary = "One event of each product", Value = items };
    }

    /// <summary>Documents a required JSON body of <typeparamref name="T"/>; returns its examples to fill.</summary>
    private static async Task<IDictionary<string, IOpenApiExample>> DescribeBodyAsync<T>(
        OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var media = new OpenApiMediaType
        {
            Schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken),
            Examples = new Dictionary<string, IOpenApiExample>(),
        };
        operation.RequestBody = new OpenApiRequestBody { Required = true, Content = new Dictionary<string, OpenApiMediaType> { [JsonContentType] = media } };
        return media.Examples;
    }
}
