using System.Text.Json;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Contracts.Events;

/// <summary>The event type names of each topic family (docs/contract.md, Events).</summary>
public static class EventTypes
{
    /// <summary>A merchant workflow entered a stage.</summary>
    public const string MerchantStage = "stage";

    /// <summary>A merchant workflow made progress within a stage.</summary>
    public const string MerchantProgress = "progress";

    /// <summary>A merchant workflow finished a stage.</summary>
    public const string MerchantCompletion = "completion";

    /// <summary>A merchant workflow failed.</summary>
    public const string MerchantError = "error";

    /// <summary>A BOM enrichment started.</summary>
    public const string EnrichmentStarted = "enrichment.started";

    /// <summary>A BOM enrichment finished a batch of items.</summary>
    public const string EnrichmentProgress = "enrichment.progress";

    /// <summary>A BOM enrichment finished; terminal.</summary>
    public const string EnrichmentCompleted = "enrichment.completed";

    /// <summary>A BOM enrichment failed; terminal.</summary>
    public const string EnrichmentFailed = "enrichment.failed";

    /// <summary>An OMR batch progress report; terminal when its stage is completed or failed.</summary>
    public const string BatchProgress = "batch.progress";

    private static readonly string[] MerchantTypes = [MerchantStage, MerchantProgress, MerchantCompletion, MerchantError];
    private static readonly string[] BomTypes = [EnrichmentStarted, EnrichmentProgress, EnrichmentCompleted, EnrichmentFailed];
    private static readonly string[] BatchTypes = [BatchProgress];

    /// <summary>
    /// True for an event that ends its job's stream: <c>enrichment.completed</c> or <c>enrichment.failed</c>
    /// on a bom topic, a <c>batch.progress</c> whose stage is <c>completed</c> or <c>failed</c>. Merchant
    /// streams never end.
    /// </summary>
    public static bool IsTerminal(TopicFamily family, string type, JsonElement data) => family switch
    {
        TopicFamily.Bom => type is EnrichmentCompleted or EnrichmentFailed,
        TopicFamily.Batch => type == BatchProgress
            && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("stage", out var stage)
            && stage.ValueKind == JsonValueKind.String
            && stage.GetString() is "completed" or "failed",
        _ => false,
    };

    /// <summary>The types a topic of <paramref name="family"/> accepts.</summary>
    public static IReadOnlyList<string> For(TopicFamily family) => family switch
    {
        TopicFamily.Merchant => MerchantTypes,
        TopicFamily.Bom => BomTypes,
        TopicFamily.Batch => BatchTypes,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown topic family."),
    };
}
