namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Unique ids, so tests sharing a fixture never see each other's events.</summary>
public static class Unique
{
    public static string Id(string prefix = "t") => $"{prefix}-{Guid.NewGuid():N}";
}
