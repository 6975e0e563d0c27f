namespace RealtimeHub.Server.Delivery;

/// <summary>
/// A member asked to join one topic more than <see cref="Limits.LimitsOptions.MaxTopicsPerConnection"/>
/// allows; it follows what it followed before.
/// </summary>
internal sealed class TopicLimitReachedException(int following)
    : Exception($"This connection already follows {following} topics, the most allowed; unsubscribe from one first.");
