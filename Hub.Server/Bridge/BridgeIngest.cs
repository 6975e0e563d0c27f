using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts;
using RealtimeHub.Server.Metrics;
using RealtimeHub.Server.Publishing;
using RealtimeHub.Server.Redis;
using RealtimeHub.Server.Tracing;
using StackExchange.Redis;

namespace RealtimeHub.Server.Bridge;

/// <summary>
/// Turns one message from a product's channel into a publish on the one path every event takes, or
/// into a counted rejection. Never throws for a bad message or an unreachable store: the bridge must
/// go on with the next message.
/// </summary>
internal sealed class BridgeIngest(
    EventPublisher publisher,
    BridgeDeduplication deduplication,
    HandOffSignals handOffs,
    HubMetrics metrics,
    IOptions<PublishingOptions> publishing,
    IOptions<BridgeOptions> options,
    ILogger<BridgeIngest> logger)
{
    private readonly int[] _loggedKinds = new int[Enum.GetValues<BridgeRejection>().Length];
    private int _storeDown;
    private int _handOffMissed;

    /// <summary>Publishes the message on <paramref name="channel"/>, or counts why not.</summary>
    public async Task HandleAsync(RedisChannel channel, RedisValue message, CancellationToken cancellationToken)
    {
        var name = channel.ToString();
        using var bridged = EventTracing.StartBridged(name);
        if (!BridgeChannel.TryParse(name, out var target))
        {
            Reject(bridged, BridgeRejection.UnknownChannel, name, "expected merchant:{id}:progress|stage|completion|error, enrichment:{bomId} or batch:{batchId}:progress.");
            return;
        }

        // Measured before anything reads it: an oversized payload is never parsed.
        ReadOnlyMemory<byte> payload = message;
        if (payload.Length > publishing.Value.MaxEventBytes)
        {
            Reject(bridged, BridgeRejection.TooLarge, name, $"the payload is {payload.Length} bytes; at most {publishing.Value.MaxEventBytes} are accepted.");
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            Reject(bridged, BridgeRejection.NotJson, name, ex.Message);
            return;
        }

        using (document)
        {
            await PublishAsync(bridged, name, target, document.RootElement, channel, payload, cancellationToken);
        }
    }

    private async Task PublishAsync(
        Activity? bridged, string name, BridgeChannel target, JsonElement data, RedisChannel channel, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        // An enrichment channel carries every event type; the enrichment envelope's event_type names it.
        var type = target.Type ?? EnrichmentType(data);
        var occurrence = deduplication.Next((byte[])channel!, payload.Span);
        try
        {
            var outcome = await publisher.PublishOnceAsync(
                target.Topic, type, data, occurrence.IdempotencyKey, options.Value.DedupWindow, cancellationToken);
            if (Interlocked.Exchange(ref _storeDown, 0) == 1)
            {
                BridgeLog.StoreRecovered(logger);
            }

            if (!outcome.WasDuplicate)
            {
                await handOffs.AnnounceAsync(occurrence.IdempotencyKey);
            }
            else if (await handOffs.WaitAsync(occurrence.IdempotencyKey, cancellationToken))
            {
                Interlocked.Exchange(ref _handOffMissed, 0);
            }
            else if (Interlocked.Exchange(ref _handOffMissed, 1) == 0)
            {
                BridgeLog.HandOffNotHeard(logger, outcome.Id, target.Topic.ToString(), HandOffSignals.MaxWait);
            }
        }
        catch (EventRejectedException rejected)
        {
            Reject(bridged, rejected.StatusCode == StatusCodes.Status413PayloadTooLarge ? BridgeRejection.TooLarge : BridgeRejection.Invalid, name, rejected.Message);
        }
        catch (RedisUnavailableException unavailable)
        {
            // The worker's PUBLISH cannot be retried; another node may still store the message.
            if (Interlocked.Exchange(ref _storeDown, 1) == 0)
            {
                BridgeLog.StoreUnavailable(logger, unavailable.Message);
            }
        }
        finally
        {
            deduplication.Settled(occurrence);
        }
    }

    private static string EnrichmentType(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("event_type", out var type)
            && type.ValueKind == JsonValueKind.String
            ? type.GetString()!
            : string.Empty;

    private void Reject(Activity? bridged, BridgeRejection kind, string channel, string detail)
    {
        metrics.BridgeRejected(kind.Tag());
        EventTracing.Fail(bridged, kind.Tag());
        if (Interlocked.Exchange(ref _loggedKinds[(int)kind], 1) == 0)
        {
            BridgeLog.Rejected(logger, ClientInput.Printable(channel, 200), kind.Tag(), detail);
        }
    }
}
