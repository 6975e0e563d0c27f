using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.History;

/// <summary>A validated event waiting for its id: the data is already final JSON text.</summary>
internal sealed record NewEvent(Topic Topic, string Type, string DataJson, DateTimeOffset Timestamp, string? IdempotencyKey);
