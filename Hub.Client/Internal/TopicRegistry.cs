using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// The client's topics, one <see cref="TopicFeed"/> each, joined on the hub while they have local subscribers.
/// The <see cref="ConnectionLoop"/> has them all rejoined on every new connection and hands over the live
/// events of the current one; both work under the client's one lock.
/// </summary>
internal sealed class TopicRegistry
{
    private readonly Lock _sync;
    private readonly ILogger _logger;
    private readonly TopicJoiner _joiner;
    private readonly Dictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);

    /// <summary>Creates an empty registry.</summary>
    /// <param name="sync">The client's lock, shared with the <see cref="ConnectionLoop"/>.</param>
    /// <param name="options">Supplies the reconnect policy for <c>Subscribe</c> retries.</param>
    /// <param name="logger">The client's logger.</param>
    public TopicRegistry(Lock sync, RealtimeHubClientOptions options, ILogger logger)
    {
        _sync = sync;
        _logger = logger;
        _joiner = new TopicJoiner(sync, options, logger, feed => _feeds.Remove(feed.Topic));
    }

    /// <summary>Adds a local subscriber to the topic's feed and waits until the hub has joined the topic.</summary>
    /// <param name="connection">Started if need be; the topic is joined on its current connection.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="subscriber">The new local subscriber.</param>
    /// <param name="cancellationToken">Cancels the subscribing; the subscriber is then removed again.</param>
    /// <exception cref="HubException">The hub refused the topic.</exception>
    public async Task<TopicFeed> AddAsync(ConnectionLoop connection, Topic topic, Subscriber subscriber, CancellationToken cancellationToken)
    {
        if (topic.Id is null)
        {
            throw new ArgumentException("The topic is empty; create one with Topic.Merchant, Topic.Bom, Topic.Batch or Topic.Parse.", nameof(topic));
        }

        TopicFeed feed;
        lock (_sync)
        {
            connection.EnsureStarted();
            var name = topic.ToString();
            if (!_feeds.TryGetValue(name, out feed!))
            {
                feed = new TopicFeed(name);
                _feeds.Add(name, feed);
            }

            feed.Add(subscriber);
        }

        try
        {
            while (true)
            {
                var live = await connection.WaitAsync(cancellationToken);
                if (await _joiner.JoinAsync(feed, live, cancellationToken))
                {
                    return feed;
                }

                // Lost meanwhile; the next connection rejoins every feed, this one included.
                await live.Closed.WaitAsync(cancellationToken);
            }
        }
        catch
        {
            await LeaveAsync(connection, feed, subscriber);
            throw;
        }
    }

    /// <summary>Removes a local subscriber; the last one of a topic leaves the topic on the hub.</summary>
    /// <param name="connection">Whose current connection the topic is left on, if it was joined there.</param>
    /// <param name="feed">The topic's feed.</param>
    /// <param name="subscriber">The local subscriber to remove; its queue is completed.</param>
    public async ValueTask LeaveAsync(ConnectionLoop connection, TopicFeed feed, Subscriber subscriber)
    {
        lock (_sync)
        {
            subscriber.Complete();
            if (!feed.Remove(subscriber) || feed.HasSubscribers)
            {
                return;
            }
        }

        await feed.HubCalls.WaitAsync();
        try
        {
            LiveConnection? live;
            lock (_sync)
            {
                if (feed.HasSubscribers)
                {
                    return;
                }

                live = connection.Current is { } current && feed.JoinedOn == current.Generation ? current : null;
                feed.JoinedOn = 0;
            }

            if (live is not null)
            {
                try
                {
                    await live.Hub.InvokeAsync(nameof(IProgressHub.Unsubscribe), feed.Topic, live.Lost);
                }
#pragma warning disable CA1031 // A connection going away leaves every group by itself.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    ClientLog.UnsubscribeFailed(_logger, feed.Topic, ex);
                }
            }

            // Kept until now, so a subscriber that came back meanwhile rejoins through this feed, after the Unsubscribe.
            lock (_sync)
            {
                if (!feed.HasSubscribers && _feeds.TryGetValue(feed.Topic, out var kept) && kept == feed)
                {
                    _feeds.Remove(feed.Topic);
                }
            }
        }
        finally
        {
            feed.HubCalls.Release();
        }
    }

    /// <summary>Joins every topic on a connection that has just become current.</summary>
    /// <param name="live">The new connection.</param>
    public async Task RejoinAllAsync(LiveConnection live)
    {
        TopicFeed[] feeds;
        lock (_sync)
        {
            feeds = [.. _feeds.Values];
        }

        await Task.WhenAll(feeds.Select(async feed =>
        {
            try
            {
                await _joiner.JoinAsync(feed, live, CancellationToken.None);
            }
#pragma warning disable CA1031 // A refused topic has ended its subscriptions with the error; the others go on.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }));
    }

    /// <summary>Hands a live event of the current connection to its topic's feed; called under the lock.</summary>
    /// <param name="envelope">The event.</param>
    public void OnLive(EventEnvelope envelope)
    {
        if (_feeds.TryGetValue(envelope.Topic, out var feed))
        {
            feed.OnLive(envelope);
        }
    }

    /// <summary>Ends every subscription and stream and forgets every topic; called under the lock.</summary>
    /// <param name="error">What the subscriptions end with: null when the client is disposed, else why it gave up.</param>
    public void EndAll(Exception? error)
    {
        foreach (var feed in _feeds.Values)
        {
            feed.End(error);
        }

        _feeds.Clear();
    }
}
