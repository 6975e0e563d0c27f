using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Client;

/// <summary>One event of a subscribed topic: the envelope as the hub sent it and its data read as <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The payload type, for example <c>BatchProgressData</c>; <c>JsonElement</c> for the raw data.</typeparam>
/// <param name="Envelope">The envelope as the hub sent it.</param>
/// <param name="Data">The envelope's data read as <typeparamref name="T"/>.</param>
public sealed record ProgressEvent<T>(EventEnvelope Envelope, T Data)
{
    /// <summary>The event id, ordered within the topic.</summary>
    public string Id => Envelope.Id;

    /// <summary>The topic, for example <c>batch:7</c>.</summary>
    public string Topic => Envelope.Topic;

    /// <summary>The event type, for example <c>batch.progress</c>.</summary>
    public string Type => Envelope.Type;

    /// <summary>When the hub accepted the event.</summary>
    public DateTimeOffset Timestamp => Envelope.Timestamp;

    /// <summary>True for the event that ends a BOM enrichment or an OMR batch; a merchant stream never ends.</summary>
    public bool IsTerminal =>
        Contracts.Topics.Topic.TryParse(Envelope.Topic, out var topic, out _)
        && EventTypes.IsTerminal(topic.Family, Envelope.Type, Envelope.Data);

    internal static ProgressEvent<T> From(EventEnvelope envelope) => new(envelope, envelope.DataAs<T>());
}
