using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Payloads.Bom;
using RealtimeHub.Contracts.Payloads.Merchant;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Contracts.Payloads;

/// <summary>
/// The one definition of what the hub checks and reads in a product's event data: its fields, where its
/// progress lives, and the field that must repeat the event type. Each family declares its rules beside
/// its payload types.
/// </summary>
/// <param name="Fields">The checked fields, in the order they are checked; other fields pass as published.</param>
/// <param name="Progress">Where the progress percentage, the ETA and the job identity are.</param>
/// <param name="EventTypeField">A field that, when given as text, must equal the event type; null when there is none.</param>
public sealed record PayloadRules(IReadOnlyList<PayloadField> Fields, PayloadProgress Progress, string? EventTypeField = null)
{
    /// <summary>The rules of the payloads of a <paramref name="family"/> topic.</summary>
    public static PayloadRules For(TopicFamily family) => family switch
    {
        TopicFamily.Merchant => MerchantPayloadRules.Rules,
        TopicFamily.Bom => BomPayloadRules.Rules,
        TopicFamily.Batch => BatchPayloadRules.Rules,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "Unknown topic family."),
    };
}
