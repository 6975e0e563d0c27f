using System.Diagnostics.CodeAnalysis;
using System.Text;
using RealtimeHub.Contracts;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Topics;
using RealtimeHub.Server.Hubs;

namespace RealtimeHub.Server.Sse;

/// <summary>
/// How far a stream has got in each of its topics: what a client resumes from and what the stream
/// has delivered. A single-topic stream's <c>id:</c> is the event id itself; a several-topic
/// <c>/api/sse</c> stream's is <c>topic=id,topic=id</c>, because ids are ordered only within a topic.
/// </summary>
internal sealed class SseCursor
{
    // Per topic, where the stream stands, and whether that is only where a fresh subscription began (no event
    // delivered yet). One dictionary for both: most streams follow one topic and sit idle for hours.
    private readonly Dictionary<string, (HubEventId Id, bool StartOnly)> _positions = new(StringComparer.Ordinal);
    private readonly bool _composite;

    private SseCursor(bool composite) => _composite = composite;

    /// <summary>Parses a <c>Last-Event-ID</c> (or <c>lastEventId</c>) for <paramref name="topics"/>; null or empty means a fresh start.</summary>
    public static bool TryParse(string? value, IReadOnlyList<Topic> topics, bool composite, out SseCursor cursor, [NotNullWhen(false)] out string? error)
    {
        cursor = new SseCursor(composite);
        error = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (topics.Count == 1 && HubEventId.TryParse(value, out var single))
        {
            cursor._positions[topics[0].ToString()] = (single, false);
            return true;
        }

        if (!composite)
        {
            error = $"The last event id '{ClientInput.Printable(value)}' is not an event id; expected '<milliseconds>-<sequence>'.";
            return false;
        }

        foreach (var part in value.Split(','))
        {
            var equals = part.LastIndexOf('=');
            if (equals <= 0
                || !Topic.TryParse(part[..equals], out var topic, out _)
                || !HubEventId.TryParse(part[(equals + 1)..], out var id))
            {
                error = $"The last event id '{ClientInput.Printable(value)}' is not a stream position; expected 'topic=id' pairs separated by commas.";
                return false;
            }

            if (topics.Contains(topic))
            {
                cursor._positions[topic.ToString()] = (id, false);
            }
        }

        return true;
    }

    /// <summary>Where to resume <paramref name="topic"/> from, if the client said.</summary>
    public HubEventId? ResumeFrom(Topic topic) =>
        _positions.TryGetValue(topic.ToString(), out var position) ? position.Id : null;

    /// <summary>True once a fresh subscription's start was recorded with <see cref="Start"/>, until an event moves past it.</summary>
    public bool HasStarts => _positions.Values.Any(position => position.StartOnly);

    /// <summary>
    /// Records where a fresh subscription to <paramref name="topic"/> begins: the topic's latest event when
    /// it was joined, or <see cref="HubEventId.Beginning"/> when it had none. It is sent to the client as
    /// the stream's first <c>id:</c>, so a reconnect before any event resumes from there; unlike a
    /// delivery, it holds back no event, since events that reach the stream after the join are new to it.
    /// </summary>
    public void Start(Topic topic, HubEventId position)
    {
        _positions.TryAdd(topic.ToString(), (position, true));
    }

    /// <summary>True when the stream already delivered <paramref name="id"/> (or a later event) of <paramref name="topic"/>.</summary>
    public bool HasDelivered(string topic, HubEventId id) =>
        _positions.TryGetValue(topic, out var last) && !last.StartOnly && id <= last.Id;

    /// <summary>Records a delivery and returns the <c>id:</c> value to write with it.</summary>
    public string Advance(string topic, HubEventId id)
    {
        _positions[topic] = (id, false);
        return _composite ? Compose() : id.ToString();
    }

    /// <summary>The <c>id:</c> value for where the stream stands now (one topic's id, or every topic's on a composite stream).</summary>
    public string Current => _composite ? Compose() : _positions.Values.Single().Id.ToString();

    private string Compose()
    {
        var text = new StringBuilder();
        foreach (var (name, position) in _positions)
        {
            text.Append(text.Length == 0 ? string.Empty : ",").Append(name).Append('=').Append(position.Id.ToString());
        }

        return text.ToString();
    }
}
