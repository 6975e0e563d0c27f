using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RealtimeHub.Client.Internal;
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
    private readonly ILogger _logger;

    // The loop keeps a connection up and knows nothing of topics; the registry keeps every subscribed
    // topic joined on the loop's current connection. This constructor passes the loop's news to the registry.
    private readonly ConnectionLoop _connection;
    private readonly TopicRegistry _topics;

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
        loggerFactory ??= NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger<RealtimeHubClient>();

        // The loop calls these only once started (by StartAsync or a subscription), after both are built.
        _connection = new ConnectionLoop(
            options,
            loggerFactory,
            _logger,
            onConnected: live => _topics!.RejoinAllAsync(live),
            onEvent: (live, envelope) => _topics!.OnLive(live, envelope),
            onHistoryReset: OnHistoryReset,
            onEnded: error => _topics!.EndAll(error));
        _topics = new TopicRegistry(_connection, options, _logger);
    }

    /// <summary>
    /// Raised when a resume asked for events older than the topic still retains: the events after
    /// <c>RequestedId</c> and before <c>OldestRetainedId</c> are gone; the retained ones are delivered as usual.
    /// </summary>
    public event Action<HistoryReset>? HistoryReset;

    /// <summary>The hub URL of the node the client is connected to, or null while it is (re)connecting.</summary>
    public Uri? ConnectedUrl => _connection.ConnectedUrl;

    /// <summary>Connects, trying the nodes in turn as the reconnect policy allows; completes once connected.</summary>
    /// <param name="cancellationToken">Stops waiting (the client keeps trying in the background).</param>
    public Task StartAsync(CancellationToken cancellationToken = default) => _connection.WaitAsync(cancellationToken);

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
        var feed = await _topics.AddAsync(topic, subscriber, cancellationToken);
        return HubSubscription.Start(feed.Topic, subscriber, onEvent, () => _topics.LeaveAsync(feed, subscriber), _logger);
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
        var feed = await _topics.AddAsync(topic, subscriber, cancellationToken);
        try
        {
            await foreach (var envelope in subscriber.Reader.ReadAllAsync(cancellationToken))
            {
                yield return ProgressEvent<T>.From(envelope);
            }
        }
        finally
        {
            await _topics.LeaveAsync(feed, subscriber);
        }
    }

    /// <summary>Closes the connection and ends every subscription and stream.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private void OnHistoryReset(HistoryReset reset)
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
}
