using System.Threading.Channels;
using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// One local subscription's queue. The client writes to it in delivery order while holding its lock,
/// so writes never block; the subscription's callback pump or stream reads it at its own pace.
/// </summary>
internal sealed class Subscriber
{
    private readonly Channel<EventEnvelope> _queue =
        Channel.CreateUnbounded<EventEnvelope>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<EventEnvelope> Reader => _queue.Reader;

    public void Post(EventEnvelope envelope) => _queue.Writer.TryWrite(envelope);

    public void Complete(Exception? error = null) => _queue.Writer.TryComplete(error);
}
