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
    // delivered yet), in the order the topics were first recorded. A list scanned, not a dictionary: a stream
    // follows at most Limits:MaxTopicsPerConnection topics, mostly one, and sits idle for hours, and a
    // dictionary's buckets and entries cost more than scanning those few for as long as it stays open.
    private readonly List<(string Topic, HubEventId Id, bool StartOnly)> _positions;
    private readonly bool _composite;

    private SseCursor(bool composite, int topics)
    {
        _composite = composite;
        _positions = new(topics);
    }

    /// <summary>Parses a <c>Last-Event-ID</c> (or <c>lastEventId</c>) for <paramref name="topics"/>; null or empty means a fresh start.</summary>
    public static bool TryParse(string? value, IReadOnlyList<Topic> topics, bool composite, out SseCursor cursor, [NotNullWhen(false)] out string? error)
    {
        cursor = new SseCursor(composite, topics.Count);
        error = null;
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (topics.Count == 1 && HubEventId.TryParse(value, out var single))
        {
            cursor.Set(topics[0].ToString(), single, startOnly: false);
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
                cursor.Set(topic.ToString(), id, startOnly: false);
            }
        }

        return true;
    }

    /// <summary>Where to resume <paramref name="topic"/> from, if the client said.</summary>
    public HubEventId? ResumeFrom(Topic topic) =>
        IndexOf(topic.ToString()) is var at and >= 0 ? _positions[at].Id : null;

    /// <summary>True once a fresh subscription's start was recorded with <see cref="Start"/>, until an event moves past it.</summary>
    public bool HasStarts => _positions.Exists(position => position.StartOnly);

    /// <summary>
    /// Records where a fresh subscription to <paramref name="topic"/> begins: the topic's latest event when
    /// it was joined, or <see cref="HubEventId.Beginning"/> when it had none. It is sent to the client as
    /// the stream's first <c>id:</c>, so a reconnect before any event resumes from there; unlike a
    /// delivery, it holds back no event, since events that reach the stream after the join are new to it.
    /// </summary>
    public void Start(Topic topic, HubEventId position)
    {
        var name = topic.ToString();
        if (IndexOf(name) < 0)
        {
            _positions.Add((name, position, true));
        }
    }

    /// <summary>True when the stream already delivered <paramref name="id"/> (or a later event) of <paramref name="topic"/>.</summary>
    public bool HasDelivered(string topic, HubEventId id) =>
        IndexOf(topic) is var at and >= 0 && _positions[at] is { StartOnly: false } last && id <= last.Id;

    /// <summary>Records a delivery and returns the <c>id:</c> value to write with it.</summary>
    public string Advance(string topic, HubEventId id)
    {
        Set(topic, id, startOnly: false);
        return _composite ? Compose() : id.ToString();
    }

    /// <summary>The <c>id:</c> value for where the stream stands now (one topic's id, or every topic's on a composite stream).</summary>
    public string Current => _composite ? Compose() : _positions.Single().Id.ToString();

    private int IndexOf(string topic)
    {
        for (var i = 0; i < _positions.Count; i++)
        {
            if (string.Equals(_positions[i].Topic, topic, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void Set(string topic, HubEventId id, bool startOnly)
    {
        var at = IndexOf(topic);
        if (at >= 0)
        {
            _positions[at] = (topic, id, startOnly);
        }
        else
        {
            _positions.Add((topic, id, startOnly));
        }
    }

    private string Compose()
    {
        var text = new StringBuilder();
        foreach (var (name, id, _) in _positions)
        {
            text.Append(text.Length == 0 ? string.Empty : ",").Append(name).Append('=').Append(id.ToString());
        }

        return text.ToString();
    }
}
