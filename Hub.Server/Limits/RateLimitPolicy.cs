namespace RealtimeHub.Server.Limits;

/// <summary>Which of a tenant's token buckets a rate-limited endpoint draws from (<see cref="LimitsOptions"/>).</summary>
internal enum RateLimitPolicy
{
    /// <summary>Publishing over HTTP: <see cref="LimitsOptions.PublishPerSecond"/>, <see cref="LimitsOptions.PublishBurst"/>.</summary>
    Publish,

    /// <summary>Opening SSE streams and hub negotiations: <see cref="LimitsOptions.ConnectionsPerSecond"/>, <see cref="LimitsOptions.ConnectionsBurst"/>.</summary>
    Connect,
}
