namespace RealtimeHub.Contracts.Hub;

/// <summary>The hub's route and method names, shared by the server and every .NET client.</summary>
public static class HubRoutes
{
    /// <summary>Where the SignalR hub is mapped.</summary>
    public const string ProgressHub = "/hubs/progress";
}
