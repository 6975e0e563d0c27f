using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Eta;
using RealtimeHub.Server.History;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Server.Tracing;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// The one path of every event: validate, fill the ETA, store with an id and sequence number, hand to the
/// backplane. A publisher's retry that finds its event stored hands the stored event on again.
/// </summary>
internal sealed class EventPublisher(
    EventValidator validator,
    EtaEstimator eta,
    IEventHistory history,
    BackplaneHandOff handOff,
    ITopicOwners owners,
    HubMetrics metrics,
    IEnumerable<IPublishObserver> observers,
    IOptions<PublishingOptions> options,
    TimeProvider clock) : IProgressPublisher
{
    public async Task<string> PublishAsync(
        string topic, string type, JsonElement data, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        using var publish = EventTracing.StartPublish();
        try
        {
            Topic parsed;
            using (EventTracing.StartStep(EventTracing.ValidateStep))
            {
                parsed = EventValidator.ParseTopic(topic);
                validator.Validate(parsed, type, data, idempotencyKey);
            }

            EventTracing.Describe(publish, parsed, type);
            var appended = await StoreAndDeliverAsync([await PrepareAsync(parsed, type, data, idempotencyKey, cancellationToken)], cancellationToken);
            publish?.SetTag(EventTracing.IdTag, appended[0].Id);
            return appended[0].Id;
        }
        catch (Exception ex) when (EventTracing.Failed(publish, ex))
        {
            throw;
        }
    }

    /// <summary>
    /// The Redis bridge's way in: the same path, but the idempotency key is remembered only for
    /// <paramref name="keyLifetime"/>, and the outcome says whether this call stored the event.
    /// </summary>
    internal async Task<AppendedEvent> PublishOnceAsync(
        Topic topic, string type, JsonElement data, string idempotencyKey, TimeSpan keyLifetime, CancellationToken cancellationToken)
    {
        using var publish = EventTracing.StartPublish();
        EventTracing.Describe(publish, topic, type);
        try
        {
            using (EventTracing.StartStep(EventTracing.ValidateStep))
            {
                validator.Validate(topic, type, data, idempotencyKey);
            }

            var prepared = await PrepareAsync(topic, type, data, idempotencyKey, cancellationToken);
            // Here a duplicate is the rule, not a retry: every node appends every message, and the node whose
            // append stored it hands it on (the others wait for that: HandOffSignals), so no original is wanted back.
            var appended = await StoreAndDeliverAsync([prepared with { IdempotencyKeyLifetime = keyLifetime, WantsOriginal = false }], cancellationToken);
            publish?.SetTag(EventTracing.IdTag, appended[0].Id);
            return appended[0];
        }
        catch (Exception ex) when (EventTracing.Failed(publish, ex))
        {
            throw;
        }
    }

    public async Task<IReadOnlyList<string>> PublishBatchAsync(IReadOnlyList<BatchPublishItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        using var publish = EventTracing.StartPublish(items.Count);
        try
        {
            return await PublishItemsAsync(items, cancellationToken);
        }
        catch (Exception ex) when (EventTracing.Failed(publish, ex))
        {
            throw;
        }
    }

    private async Task<IReadOnlyList<string>> PublishItemsAsync(IReadOnlyList<BatchPublishItem> items, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            throw new EventRejectedException("items", "The batch is empty; send at least one event.");
        }

        if (items.Count > options.Value.MaxBatchItems)
        {
            throw new EventRejectedException(
                "items", $"The batch has {items.Count} events; at most {options.Value.MaxBatchItems} are accepted per call.", StatusCodes.Status413PayloadTooLarge);
        }

        // Every item is checked before any is prepared, so one bad item rejects the whole call.
        var topics = new Topic[items.Count];
        using (EventTracing.StartStep(EventTracing.ValidateStep))
        {
            for (var i = 0; i < items.Count; i++)
            {
                try
                {
                    var item = items[i] ?? throw new EventRejectedException("item", "The item is null.");
                    topics[i] = EventValidator.ParseTopic(item.Topic);
                    validator.Validate(topics[i], item.Type, item.Data, item.IdempotencyKey);
                }
                catch (EventRejectedException rejected)
                {
                    throw rejected.AtIndex(i);
                }
            }
        }

        var prepared = new NewEvent[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                prepared[i] = await PrepareAsync(topics[i], items[i].Type!, items[i].Data, items[i].IdempotencyKey, cancellationToken);
            }
            catch (EventRejectedException rejected)
            {
                throw rejected.AtIndex(i);
            }
        }

        return [.. (await StoreAndDeliverAsync(prepared, cancellationToken)).Select(a => a.Id)];
    }

    private async Task<NewEvent> PrepareAsync(Topic topic, string type, JsonElement data, string? idempotencyKey, CancellationToken cancellationToken)
    {
        // The first organisation to publish to a topic owns it; data naming another is refused.
        if (DataOrganization.Of(data) is { } organization
            && await owners.ClaimAsync(topic, organization, cancellationToken) is var owner
            && !string.Equals(owner, organization, StringComparison.Ordinal))
        {
            throw new EventRejectedException(
                "data.organization_id", $"Topic '{topic}' belongs to another organisation.", StatusCodes.Status403Forbidden);
        }

        var now = clock.GetUtcNow();

        // Stored compact: no publisher's line breaks can reach an SSE data line.
        var json = await eta.FillAsync(topic, type, data, now, cancellationToken) ?? JsonSerializer.Serialize(data);
        return new NewEvent(topic, type, json, now, idempotencyKey) { TraceParent = EventTracing.CurrentTraceParent() };
    }

    private async Task<IReadOnlyList<AppendedEvent>> StoreAndDeliverAsync(NewEvent[] events, CancellationToken cancellationToken)
    {
        // No lock from the append to the hand-off: every node's relay puts a topic's events in order by
        // their sequence numbers, whichever reaches the backplane first.
        IReadOnlyList<AppendedEvent> appended;
        using (EventTracing.StartStep(EventTracing.AppendStep))
        {
            appended = await history.AppendAsync(events, cancellationToken);
        }

        using (EventTracing.StartStep(EventTracing.HandOffStep))
        {
            foreach (var outcome in appended)
            {
                if (outcome.Stored is { } envelope)
                {
                    // Once stored the event is accepted: the hand-off is not awaited, and one that fails is
                    // retried in the background, never reported.
                    handOff.HandOff(envelope);
                    foreach (var observer in observers)
                    {
                        observer.Published(envelope);
                    }
                }
                else if (outcome.Original is { } original)
                {
                    // A retry finds its event stored, but perhaps never handed on: the first attempt got 503
                    // after the append (replicas did not confirm it in time), or its hand-off failed for good.
                    // Without a later event no node would see the gap. Relays drop what they delivered already,
                    // so the stored event, with its own sequence number and trace context, goes out again.
                    handOff.HandOff(original);
                }
            }
        }

        for (var i = 0; i < appended.Count; i++)
        {
            if (!appended[i].WasDuplicate)
            {
                metrics.EventAccepted(events[i].Topic.Family);
            }
        }

        return appended;
    }
}
