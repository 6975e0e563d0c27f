using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>
/// Makes the subscriber for a <see cref="SubscriberPlace"/>: an <see cref="SseLoadClient"/> or a
/// <see cref="WebSocketLoadClient"/> over the given HTTP stack, with an account in <see cref="Accounting"/>.
/// </summary>
/// <param name="SseHttp">The client SSE streams are requested with.</param>
/// <param name="WebSocketInvoker">The invoker WebSockets connect with.</param>
/// <param name="Protocol">SignalR protocol: MessagePack, JSON, or half each (by <see cref="SubscriberPlace.Alternate"/>).</param>
/// <param name="ConnectTimeout">Time allowed for an SSE stream's headers and <c>retry:</c> line.</param>
/// <param name="Accounting">Where the subscribers' accounts are kept.</param>
/// <param name="Errors">Where their errors are counted.</param>
/// <param name="ServerTimeout">How long a SignalR client waits to hear from the hub before it gives up on the connection.</param>
internal sealed record SubscriberFactory(
    HttpClient SseHttp, HttpMessageInvoker WebSocketInvoker, SignalRProtocol Protocol, TimeSpan ConnectTimeout, LoadAccounting Accounting, LoadErrors Errors,
    TimeSpan ServerTimeout)
{
    /// <summary>The SignalR clients' default <see cref="ServerTimeout"/>: long enough for a hub under load.</summary>
    public static readonly TimeSpan DefaultServerTimeout = TimeSpan.FromSeconds(120);

    public ILoadClient Create(SubscriberPlace place)
    {
        var account = Accounting.AddClient(place.Topic);
        return place.IsSse
            ? new SseLoadClient(SseHttp, place.SseUri, account, ConnectTimeout, Errors)
            : new WebSocketLoadClient(place.HubUri, WebSocketInvoker, Protocol switch
            {
                SignalRProtocol.MessagePack => true,
                SignalRProtocol.Json => false,
                _ => !place.Alternate,
            }, place.TopicName, account, Errors, ServerTimeout);
    }
}
