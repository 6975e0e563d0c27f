using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using RealtimeHub.Server.Hosting;
using RealtimeHub.Server.Hubs;

namespace RealtimeHub.Server.WebSockets;

/// <summary>
/// Serves the progress hub's WebSocket requests that come without negotiating (SignalR clients with
/// <c>skipNegotiation</c>, the typed client, the load generator) with <see cref="HubWebSocketConnection"/>,
/// in front of SignalR's own HTTP connection layer. A negotiated connection (any transport, and stateful
/// reconnect, which needs negotiation) stays with SignalR's layer, which knows its connection token.
/// </summary>
internal sealed class HubWebSocketTransport(
    HubConnectionHandler<ProgressHub> hub, ConnectionHeartbeat heartbeat, ILogger<HubWebSocketConnection> logger)
{
    /// <summary>
    /// The hub route's request handler: a WebSocket request without a connection token is served here,
    /// everything else by <paramref name="signalR"/> (the framework's handler of the route, with the same
    /// <paramref name="options"/>). Every WebSocket of the route, served either way, sends straight to its
    /// socket where it can (<see cref="SocketSendStream"/>).
    /// </summary>
    public RequestDelegate Wrap(IEndpointRouteBuilder routes, RequestDelegate signalR, HttpConnectionDispatcherOptions options)
    {
        var settings = new HubWebSocketConnection.Settings(options);
        var pipeline = routes.CreateApplicationBuilder();

        // Before the WebSocket middleware, which takes the request's upgrade feature as it finds it.
        pipeline.Use((context, next) =>
        {
            SocketSendStream.UseForUpgradeOf(context);
            return next(context);
        });
        pipeline.UseWebSockets();
        pipeline.Run(context => IsUnnegotiatedWebSocket(context)
            ? ServeAsync(context, settings)
            : signalR(context));
        return pipeline.Build();
    }

    /// <summary>
    /// Whether a request to the hub's route starts a connection: a WebSocket upgrade without a connection
    /// token (a negotiated connection's start is its negotiate request). Read from the request line and
    /// headers, so it can be asked before the WebSocket middleware has run.
    /// </summary>
    public static bool StartsConnection(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase)
        && !QueryParameters.Contains(context.Request, "id");

    private static bool IsUnnegotiatedWebSocket(HttpContext context) => context.WebSockets.IsWebSocketRequest && StartsConnection(context);

    /// <summary>Accepts the WebSocket and runs its connection; one frame per connection once the accept completes at once, as it does.</summary>
    private Task ServeAsync(HttpContext context, HubWebSocketConnection.Settings settings)
    {
        var subProtocol = settings.Options.WebSockets.SubProtocolSelector?.Invoke(context.WebSockets.WebSocketRequestedProtocols);
        var accept = context.WebSockets.AcceptWebSocketAsync(subProtocol);
        return accept.IsCompletedSuccessfully ? Run(context, accept.Result, settings) : AcceptThenRunAsync(accept, context, settings);
    }

    private async Task AcceptThenRunAsync(Task<WebSocket> accept, HttpContext context, HubWebSocketConnection.Settings settings) =>
        await Run(context, await accept, settings);

    private Task Run(HttpContext context, WebSocket socket, HubWebSocketConnection.Settings settings) =>
        new HubWebSocketConnection(context, socket, settings, logger).RunAsync(hub.OnConnectedAsync, heartbeat);
}
