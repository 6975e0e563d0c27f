using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace RealtimeHub.Server.Delivery;

/// <summary>The transport names used in metrics, logs and the dashboard, defined once.</summary>
internal static class ConnectionTransport
{
    public const string WebSocket = "websocket";
    public const string ServerSentEvents = "sse";
    public const string LongPolling = "long_polling";
    public const string Other = "other";

    /// <summary>The transports always reported, even at zero, in the order shown.</summary>
    public static readonly IReadOnlyList<string> All = [WebSocket, ServerSentEvents, LongPolling];

    /// <summary>The name of the transport a connection runs on, from its <see cref="IHttpTransportFeature"/>.</summary>
    public static string Of(IFeatureCollection features) => features.Get<IHttpTransportFeature>()?.TransportType switch
    {
        HttpTransportType.WebSockets => WebSocket,
        HttpTransportType.ServerSentEvents => ServerSentEvents,
        HttpTransportType.LongPolling => LongPolling,
        _ => Other,
    };
}
