using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RealtimeHub.Client.Internal;
using RealtimeHub.Contracts.Events;
using RealtimeHub.Contracts.Hub;
using RealtimeHub.Contracts.Payloads.Batch;
using RealtimeHub.Contracts.Payloads.Bom;
using RealtimeHub.Contracts.Payloads.Merchant;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Client;

/// <summary>
/// A typed client of the progress hub that never misses an event: it reconnects by itself (moving on to
/// the next node), rejoins every topic and resumes each after the last id it delivered, so each
/// subscription sees every event of its topic once, in id order.
/// </summary>
public sealed class RealtimeHubClient : IAsyncDisposable
{
    private readonly RealtimeHubClientOptions _options;
    private readonly IReadOnlyList<HubEndpoint> _endpoints;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();

    // Guards everything below and every TopicFeed's delivery state.
    private readonly Lock _sync = new();
    private readonly Dictionary<string, TopicFeed> _feeds = new(StringComparer.Ordinal);
    private TaskCompletionSource<LiveConnection> _connected = NewConnectionSource();
    private LiveConnection? _live;
    private int _closedGeneration;
    private int _generation;
    private Task? _run;
    private bool _disposed;

    /// <summary>Creates a client; it connects on <see cref="StartAsync"/> or the first subscription.</summary>
    /// <param name="options">The hub's URLs and the client's settings.</param>
    public RealtimeHubClient(RealtimeHubClientOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a client that logs through <paramref name="loggerFactory"/>.</summary>
    /// <param name="options">The hub's URLs and the client's settings.</param>
    /// <param name="loggerFactory">Where the client and its SignalR connections log; none when null.</param>
    public RealtimeHubClient(RealtimeHubClientOptions options, ILoggerFactory? loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _endpoints = HubEndpoint.From(options.Urls);
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<RealtimeHubClient>();
    }

    /// <summary>
    /// Raised when a resume asked for events older than the topic still retains: the events after
    /// <c>RequestedId</c> and before <c>OldestRetainedId</c> are gone; the retained ones are delivered as usual.
    /// </summary>
    public event Action<HistoryReset>? HistoryReset;

    /// <summary>The hub URL of the node the client is connected to, or null while it is (re)connecting.</summary>
    public Uri? ConnectedUrl
    {
        get
        {
            lock (_sync)
            {
                return _live?.Endpoint.Hub;
            }
        }
    }

    /// <summary>Connects, trying the nodes in turn as the reconnect policy allows; completes once connected.</summary>
    /// <param name="cancellationToken">Stops waiting (the client keeps trying in the background).</param>
    public Task StartAsync(CancellationToken cancellationToken = default) => WaitForConnectionAsync(cancellationToken);

    /// <summary>Calls <paramref name="onEvent"/> with every event of a merchant's PO sync workflows.</summary>
    /// <param name="merchantId">The merchant id; the topic is <c>merchant:{merchantId}</c>.</param>
    /// <param name="onEvent">Called once per event, in order, one call at a time.</param>
    /// <param name="cancellationToken">Cancels the subscribing, not the subscription.</param>
    public Task<HubSubscription> SubscribeMerchantAsync(
        string merchantId, Func<ProgressEvent<MerchantEventData>, Task> onEvent, CancellationToken cancellationToken = default) =>
        SubscribeAsync(Topic.Merchant(merchantId), onEvent, cancellationToken);

    /// <summary>Calls <paramref name="onEvent"/> with every enrichment event of a BOM.</summary>
    /// <param name="bomId">The BOM id; the topic is <c>bom:{bomId}</c>.</param>
    /// <param name="onEvent">Called once per event, in order, one call at a time.</param>
    /// <param name="cancellationToken">Cancels the subscribing, not the subscription.</param>
    public Task<HubSubscription> SubscribeBomAsync(
        string bomId, Func<ProgressEvent<BomEnrichmentEvent>, Task> onEvent, CancellationToken cancellationToken = default) =>
        SubscribeAsync(Topic.Bom(bomId), onEvent, cancellationToken);

    /// <summary>Calls <paramref name="onEvent"/> with every progress report of an OMR batch.</summary>
    /// <param name="batchId">The batch id; the topic is <c>batch:{batchId}</c>.</param>
    /// <param name="onEvent">Called once per event, in order, one call at a time.</param>
    /// <param name="cancellationToken">Cancels the subscribing, not the subscription.</param>
    public Task<HubSubscription> SubscribeBatchAsync(
        string batchId, Func<ProgressEvent<BatchProgressData>, Task> onEvent, CancellationToken cancellationToken = default) =>
        SubscribeAsync(Topic.Batch(batchId), onEvent, cancellationToken);

    /// <summary>
    /// Subscribes to <paramref name="topic"/>: <paramref name="onEvent"/> first gets the topic's latest event,
    /// then every later one. Completes once the hub has joined the topic.
    /// </summary>
    /// <typeparam name="T">The payload type; <c>JsonElement</c> for the raw data.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="onEvent">Called once per event, in order, one call at a time; a failure is logged and the next event follows.</param>
    /// <param name="cancellationToken">Cancels the subscribing, not the subscription.</param>
    /// <exception cref="HubException">The hub refused the topic, for example because the token does not grant it.</exception>
    public async Task<HubSubscription> SubscribeAsync<T>(
        Topic topic, Func<ProgressEvent<T>, Task> onEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onEvent);
        var subscriber = new Subscriber();
        var feed = await AddAsync(topic, subscriber, cancellationToken);
        return HubSubscription.Start(feed.Topic, subscriber, onEvent, () => LeaveAsync(feed, subscriber), _logger);
    }

    /// <summary>The events of a merchant's PO sync workflows, as a stream that never ends by itself.</summary>
    /// <param name="merchantId">The merchant id; the topic is <c>merchant:{merchantId}</c>.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    public IAsyncEnumerable<ProgressEvent<MerchantEventData>> StreamMerchantAsync(string merchantId, CancellationToken cancellationToken = default) =>
        StreamAsync<MerchantEventData>(Topic.Merchant(merchantId), cancellationToken);

    /// <summary>The enrichment events of a BOM, as a stream; stop reading at the event whose <c>IsTerminal</c> is true.</summary>
    /// <param name="bomId">The BOM id; the topic is <c>bom:{bomId}</c>.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    public IAsyncEnumerable<ProgressEvent<BomEnrichmentEvent>> StreamBomAsync(string bomId, CancellationToken cancellationToken = default) =>
        StreamAsync<BomEnrichmentEvent>(Topic.Bom(bomId), cancellationToken);

    /// <summary>The progress reports of an OMR batch, as a stream; stop reading at the event whose <c>IsTerminal</c> is true.</summary>
    /// <param name="batchId">The batch id; the topic is <c>batch:{batchId}</c>.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    public IAsyncEnumerable<ProgressEvent<BatchProgressData>> StreamBatchAsync(string batchId, CancellationToken cancellationToken = default) =>
        StreamAsync<BatchProgressData>(Topic.Batch(batchId), cancellationToken);

    /// <summary>
    /// The events of <paramref name="topic"/> as a stream: the topic is joined when enumeration starts and left
    /// when it ends. It yields the latest event first, then every later one, once and in order.
    /// </summary>
    /// <typeparam name="T">The payload type; <c>JsonElement</c> for the raw data.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="cancellationToken">Ends the stream.</param>
    public async IAsyncEnumerable<ProgressEvent<T>> StreamAsync<T>(
        Topic topic, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var subscriber = new Subscriber();
        var feed = await AddAsync(topic, subscriber, cancellationToken);
        try
        {
            await foreach (var envelope in subscriber.Reader.ReadAllAsync(cancellationToken))
            {
                yield return ProgressEvent<T>.From(envelope);
            }
        }
        finally
        {
            await LeaveAsync(feed, subscriber);
        }
    }

    /// <summary>Closes the connection and ends every subscription and stream.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? run;
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            run = _run;
            _connected = NewConnectionSource();
            _connected.SetException(new ObjectDisposedException(nameof(RealtimeHubClient)));
            EndAll(error: null);
        }

        await _stopping.CancelAsync();
        if (run is not null)
        {
            await run;
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource<LiveConnection> NewConnectionSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The hub says so while Redis is down; anything else (a bad or forbidden topic) will not change on retry.
    private static bool IsTransient(HubException error) => error.Message.Contains("unavailable", StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds a local subscriber to the topic's feed and waits until the hub has joined the topic.</summary>
    private async Task<TopicFeed> AddAsync(Topic topic, Subscriber subscriber, CancellationToken cancellationToken)
    {
        if (topic.Id is null)
        {
            throw new ArgumentException("The topic is empty; create one with Topic.Merchant, Topic.Bom, Topic.Batch or Topic.Parse.", nameof(topic));
        }

        TopicFeed feed;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _run ??= Task.Run(RunAsync, CancellationToken.None);
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
                var live = await WaitForConnectionAsync(cancellationToken);
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

    private Task<LiveConnection> WaitForConnectionAsync(CancellationToken cancellationToken)
    {
        Task<LiveConnection> connected;
        lock (_sync)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _run ??= Task.Run(RunAsync, CancellationToken.None);
            connected = _connected.Task;
        }

        return connected.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Joins the feed's topic on <paramref name="live"/> and delivers what it missed. False when the connection
    /// was lost first; the hub's "history unavailable" (Redis down) is retried with the reconnect policy's delays.
    /// </summary>
    private async Task<bool> JoinAsync(TopicFeed feed, LiveConnection live, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, live.Lost);
        try
        {
            await feed.HubCalls.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            string? after;
            lock (_sync)
            {
                if (feed.JoinedOn == live.Generation || feed.Subscribers.Count == 0)
                {
                    return true;
                }

                after = feed.BeginJoin();
            }

            var started = Stopwatch.GetTimestamp();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var replayed = await live.Hub.InvokeAsync<IReadOnlyList<EventEnvelope>>(
                        nameof(IProgressHub.Subscribe), feed.Topic, after, linked.Token);
                    lock (_sync)
                    {
                        feed.CompleteJoin(replayed, live.Generation);
                    }

                    return true;
                }
                catch (HubException error) when (IsTransient(error) && !live.IsLost)
                {
                    var delay = _options.ReconnectPolicy.NextRetryDelay(new RetryContext
                    {
                        PreviousRetryCount = attempt,
                        ElapsedTime = Stopwatch.GetElapsedTime(started),
                        RetryReason = error,
                    });
                    if (delay is null)
                    {
                        throw;
                    }

                    ClientLog.SubscribeRetry(_logger, feed.Topic, delay.Value, error);
                    await Task.Delay(delay.Value, linked.Token);
                    lock (_sync)
                    {
                        if (feed.Subscribers.Count == 0)
                        {
                            feed.AbandonJoin();
                            return true;
                        }
                    }
                }
            }
        }
        catch (Exception) when (live.IsLost && !cancellationToken.IsCancellationRequested)
        {
            lock (_sync)
            {
                feed.AbandonJoin();
            }

            return false;
        }
        catch (HubException error)
        {
            ClientLog.SubscribeRefused(_logger, feed.Topic, error);
            lock (_sync)
            {
                feed.AbandonJoin();
                foreach (var subscriber in feed.Subscribers)
                {
                    subscriber.Complete(error);
                }

                feed.Subscribers.Clear();
                _feeds.Remove(feed.Topic);
            }

            throw;
        }
        catch
        {
            lock (_sync)
            {
                feed.AbandonJoin();
            }

            throw;
        }
        finally
        {
            feed.HubCalls.Release();
        }
    }

    /// <summary>Removes a local subscriber; the last one of a topic leaves the topic on the hub.</summary>
    private async ValueTask LeaveAsync(TopicFeed feed, Subscriber subscriber)
    {
        lock (_sync)
        {
            subscriber.Complete();
            if (!feed.Subscribers.Remove(subscriber) || feed.Subscribers.Count > 0)
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
                if (feed.Subscribers.Count > 0)
                {
                    return;
                }

                live = _live is { } current && feed.JoinedOn == current.Generation ? current : null;
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
                if (feed.Subscribers.Count == 0 && _feeds.TryGetValue(feed.Topic, out var kept) && kept == feed)
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

    /// <summary>
    /// Keeps one connection up: connects to the next node, rejoins every topic, waits for the close, repeats.
    /// SignalR's own automatic reconnect is not used: it stays on one URL and keeps no group membership.
    /// </summary>
    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        var next = 0;
        var failures = 0;
        var outageStarted = Stopwatch.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            // Every attempt, after a failure or a close, goes to the next node: the last one may be gone for good.
            var endpoint = _endpoints[next];
            next = (next + 1) % _endpoints.Count;
            var live = new LiveConnection(
                endpoint, Interlocked.Increment(ref _generation), _options, _loggerFactory, OnEvent, OnHistoryReset, OnClosed);
            try
            {
                try
                {
                    await live.Hub.StartAsync(stopping);
                }
                catch (Exception error) when (!stopping.IsCancellationRequested)
                {
                    var delay = _options.ReconnectPolicy.NextRetryDelay(new RetryContext
                    {
                        PreviousRetryCount = failures++,
                        ElapsedTime = Stopwatch.GetElapsedTime(outageStarted),
                        RetryReason = error,
                    });
                    if (delay is null)
                    {
                        GiveUp(error);
                        return;
                    }

                    ClientLog.ConnectFailed(_logger, endpoint.Hub, delay.Value, error);
                    await Task.Delay(delay.Value, stopping);
                    continue;
                }

                failures = 0;
                lock (_sync)
                {
                    if (live.Generation > _closedGeneration && !_disposed)
                    {
                        _live = live;
                        _connected.TrySetResult(live);
                    }
                }

                ClientLog.Connected(_logger, endpoint.Hub);
                var rejoining = RejoinAllAsync(live);
                var reason = await live.Closed.WaitAsync(stopping);
                await rejoining;
                ClientLog.ConnectionLost(_logger, endpoint.Hub, reason);
                outageStarted = Stopwatch.GetTimestamp();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                await live.DisposeAsync();
            }
        }
    }

    private async Task RejoinAllAsync(LiveConnection live)
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

    private void OnEvent(LiveConnection live, EventEnvelope envelope)
    {
        lock (_sync)
        {
            if (_live == live && _feeds.TryGetValue(envelope.Topic, out var feed))
            {
                feed.OnLive(envelope);
            }
        }
    }

    private void OnHistoryReset(LiveConnection live, HistoryReset reset)
    {
        ClientLog.HistoryReset(_logger, reset.Topic, reset.RequestedId, reset.OldestRetainedId);
        foreach (var handler in HistoryReset?.GetInvocationList().Cast<Action<HistoryReset>>() ?? [])
        {
            try
            {
                handler(reset);
            }
#pragma warning disable CA1031 // One failing handler must not keep the others from hearing of the gap.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ClientLog.HandlerFailed(_logger, reset.Topic, reset.RequestedId, ex);
            }
        }
    }

    private void OnClosed(LiveConnection live, Exception? error)
    {
        lock (_sync)
        {
            _closedGeneration = Math.Max(_closedGeneration, live.Generation);
            if (_live == live)
            {
                _live = null;
                if (!_disposed)
                {
                    _connected = NewConnectionSource();
                }
            }
        }
    }

    private void GiveUp(Exception error)
    {
        ClientLog.GaveUp(_logger, error);
        lock (_sync)
        {
            _connected.TrySetException(error);
            EndAll(error);
        }
    }

    /// <summary>Ends every subscription and stream; called under the lock.</summary>
    private void EndAll(Exception? error)
    {
        foreach (var feed in _feeds.Values)
        {
            foreach (var subscriber in feed.Subscribers)
            {
                subscriber.Complete(error);
            }

            feed.Subscribers.Clear();
        }

        _feeds.Clear();
    }
}
