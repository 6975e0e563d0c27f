using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Client.Internal;

/// <summary>
/// The client's topics, one <see cref="TopicFeed"/> each, joined on the hub while they have local subscribers.
/// It uses the <see cref="ConnectionLoop"/> for the current connection and never the other way round: the
/// client passes the loop's news on to <see cref="RejoinAllAsync"/>, <see cref="OnLive"/> and <see cref="EndAll"/>.
/// </summary>
/// <param name="connection">Started on the first subscription; topics are joined on its current connection.</param>
/// <param name="options">Supplies the reconnect policy for <c>Subscribe</c> retries.</param>
/// <param name="logger">The client's logger.</param>
internal sealed class TopicRegistry(ConnectionLoop connection, RealtimeHubClientOptions options, ILogger logger)
{
    // Guards the dictionary only; each feed guards its own delivery state.
    private readonly Lock _sync = new();
    private readonly Dictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);
    private readonly TopicJoiner _joiner = new(options, logger);

    /// <summary>Adds a local subscriber to the topic's feed and waits until the hub has joined the topic.</summary>
    /// <param name="topic">The topic.</param>
    /// <param name="subscriber">The new local subscriber.</param>
    /// <param name="cancellationToken">Cancels the subscribing; the subscriber is then removed again.</param>
    /// <exception cref="HubException">The hub refused the topic.</exception>
    public async Task<TopicFeed> AddAsync(Topic topic, Subscriber subscriber, CancellationToken cancellationToken)
    {
        if (topic.Id is null)
        {
            throw new ArgumentException("The topic is empty; create one with Topic.Merchant, Topic.Bom, Topic.Batch or Topic.Parse.", nameof(topic));
        }

        TopicFeed feed;
        lock (_sync)
        {
            // Under the lock, so a client disposed meanwhile either refuses here or ends this feed in EndAll.
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
                if (await JoinAsync(feed, live, cancellationToken))
                {
                    return feed;
                }

                // Lost meanwhile; the next connection rejoins every feed, this one included.
                await live.Closed.WaitAsync(cancellationToken);
            }
        }
        catch
        {
            await LeaveAsync(feed, subscriber);
            throw;
        }
    }

    /// <summary>Removes a local subscriber; the last one of a topic leaves the topic on the hub.</summary>
    /// <param name="feed">The topic's feed.</param>
    /// <param name="subscriber">The local subscriber to remove; its queue is completed.</param>
    public async ValueTask LeaveAsync(TopicFeed feed, Subscriber subscriber)
    {
        if (!feed.Remove(subscriber))
        {
            return;
        }

        await feed.HubCalls.WaitAsync();
        try
        {
            var live = connection.Current;
            if (!feed.TryLeave(live?.Generation ?? 0, out var unsubscribe))
            {
                return;
            }

            if (unsubscribe)
            {
                try
                {
                    await live!.Hub.InvokeAsync(nameof(IProgressHub.Unsubscribe), feed.Topic, live.Lost);
                }
#pragma warning disable CA1031 // A connection going away leaves every group by itself.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    ClientLog.UnsubscribeFailed(logger, feed.Topic, ex);
                }
            }

            // Kept until now, so a subscriber that came back meanwhile rejoins through this feed, after the Unsubscribe.
            ForgetIfUnfollowed(feed);
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
                await JoinAsync(feed, live, CancellationToken.None);
            }
#pragma warning disable CA1031 // A refused topic has ended its subscriptions with the error; the others go on.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }));
    }

    /// <summary>Hands a live event of <paramref name="live"/> to its topic's feed, which decides whether it counts.</summary>
    /// <param name="live">The connection it arrived on.</param>
    /// <param name="envelope">The event.</param>
    public void OnLive(LiveConnection live, EventEnvelope envelope)
    {
        TopicFeed? feed;
        lock (_sync)
        {
            _feeds.TryGetValue(envelope.Topic, out feed);
        }

        feed?.OnLive(live.Generation, envelope);
    }

    /// <summary>Ends every subscription and stream and forgets every topic.</summary>
    /// <param name="error">What the subscriptions end with: null when the client is disposed, else why it gave up.</param>
    public void EndAll(Exception? error)
    {
        lock (_sync)
        {
            foreach (var feed in _feeds.Values)
            {
                feed.End(error);
            }

            _feeds.Clear();
        }
    }

    private async Task<bool> JoinAsync(TopicFeed feed, LiveConnection live, CancellationToken cancellationToken)
    {
        try
        {
            return await _joiner.JoinAsync(feed, live, cancellationToken);
        }
        catch (HubException)
        {
            // Refused: the feed has ended its subscriptions.
            ForgetIfUnfollowed(feed);
            throw;
        }
    }

    private void ForgetIfUnfollowed(TopicFeed feed)
    {
        lock (_sync)
        {
            if (!feed.HasSubscribers && _feeds.TryGetValue(feed.Topic, out var kept) && kept == feed)
            {
                _feeds.Remove(feed.Topic);
            }
        }
    }
}
