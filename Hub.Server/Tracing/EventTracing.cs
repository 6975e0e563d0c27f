using System.Diagnostics;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Server.Tracing;

/// <summary>
/// The event path's spans, from the <c>RealtimeHub</c> activity source: <c>realtimehub.publish</c> (with
/// <c>realtimehub.validate</c>, <c>realtimehub.append</c> and <c>realtimehub.hand_off</c> inside),
/// <c>realtimehub.bridge</c> per message taken from a product's Redis channel, and
/// <c>realtimehub.deliver</c> per event written to an SSE connection, linked to the publish that stored
/// it. Every method returns null, and costs no allocation, while nothing listens to the source.
/// </summary>
internal static class EventTracing
{
    /// <summary>The activity source's name, to subscribe to with OpenTelemetry's <c>AddSource</c>.</summary>
    public const string SourceName = "RealtimeHub";

    public const string TopicTag = "realtimehub.topic";
    public const string TypeTag = "realtimehub.event.type";
    public const string IdTag = "realtimehub.event.id";
    public const string CountTag = "realtimehub.event.count";
    public const string ChannelTag = "realtimehub.bridge.channel";
    public const string DeliveryTag = "realtimehub.delivery";

    private static readonly ActivitySource Source = new(SourceName);

    public const string ValidateStep = "realtimehub.validate";
    public const string AppendStep = "realtimehub.append";
    public const string HandOffStep = "realtimehub.hand_off";

    /// <summary>A publish of one event, or of a batch of <paramref name="count"/> events.</summary>
    public static Activity? StartPublish(int count = 1)
    {
        var activity = Source.StartActivity("realtimehub.publish", ActivityKind.Producer);
        if (count != 1)
        {
            activity?.SetTag(CountTag, count);
        }

        return activity;
    }

    /// <summary>Names the topic and type of a publish once they are known to be valid.</summary>
    public static void Describe(Activity? publish, Topic topic, string type)
    {
        if (publish is { IsAllDataRequested: true })
        {
            publish.SetTag(TopicTag, topic.ToString());
            publish.SetTag(TypeTag, type);
        }
    }

    /// <summary>One step of a publish: <see cref="ValidateStep"/>, <see cref="AppendStep"/> or <see cref="HandOffStep"/>.</summary>
    public static Activity? StartStep(string step) => Source.StartActivity(step);

    /// <summary>A message taken from a product's Redis channel.</summary>
    public static Activity? StartBridged(string channel)
    {
        var activity = Source.StartActivity("realtimehub.bridge", ActivityKind.Consumer);
        activity?.SetTag(ChannelTag, channel);
        return activity;
    }

    /// <summary>
    /// A write of one event to a subscriber, linked to the publish whose <c>traceparent</c> was stored with
    /// it; null without a listener or a stored context.
    /// </summary>
    public static Activity? StartDelivery(string topic, HubEventId id, string type, string? traceParent, bool live)
    {
        if (traceParent is null || !Source.HasListeners() || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var published))
        {
            return null;
        }

        var activity = Source.StartActivity("realtimehub.deliver", ActivityKind.Consumer, default(ActivityContext), links: [new ActivityLink(published)]);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(TopicTag, topic);
            activity.SetTag(TypeTag, type);
            activity.SetTag(IdTag, id.ToString());
            activity.SetTag(DeliveryTag, live ? "live" : "replay");
        }

        return activity;
    }

    /// <summary>
    /// The context to store with an event: the current span's W3C <c>traceparent</c> when its trace is
    /// recorded (the caller's <c>traceparent</c> says sampled, or a listener sampled it); otherwise nothing,
    /// so untraced events cost no bytes in the history.
    /// </summary>
    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C, Recorded: true } current ? current.Id : null;

    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="reason"/>.</summary>
    public static void Fail(Activity? activity, string reason) => activity?.SetStatus(ActivityStatusCode.Error, reason);

    /// <summary>
    /// Marks <paramref name="activity"/> failed by <paramref name="exception"/> and returns false, so it
    /// serves as an exception filter that records the failure without catching it.
    /// </summary>
    public static bool Failed(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        return false;
    }
}
