using System.Text.Json;
using RealtimeHub.Contracts.Publishing;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Publishes events from code inside the server. Every publisher (HTTP, hub, Redis bridge) goes
/// through this one path: validate, fill the ETA, store with an id, hand to the backplane.
/// </summary>
public interface IProgressPublisher
{
    /// <summary>Publishes one event and returns its id once it is stored and handed to the backplane.</summary>
    /// <exception cref="EventRejectedException">The event is invalid; nothing was stored.</exception>
    /// <exception cref="Redis.RedisUnavailableException">Redis cannot be reached; nothing was acknowledged.</exception>
    Task<string> PublishAsync(string topic, string type, JsonElement data, string? idempotencyKey = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes several events atomically: all are stored or none is. Returns the ids in order.</summary>
    /// <exception cref="EventRejectedException">An item is invalid (its index is in the field path); nothing was stored.</exception>
    /// <exception cref="Redis.RedisUnavailableException">Redis cannot be reached; nothing was acknowledged.</exception>
    Task<IReadOnlyList<string>> PublishBatchAsync(IReadOnlyList<BatchPublishItem> items, CancellationToken cancellationToken = default);
}
