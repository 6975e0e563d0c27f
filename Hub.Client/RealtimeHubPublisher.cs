using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RealtimeHub.Client.Internal;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Contracts.Topics;

namespace RealtimeHub.Client;

/// <summary>
/// Publishes events over the hub's HTTP API (docs/contract.md, Publishing) for .NET workers. Every publish carries an
/// idempotency key (a new GUID when the caller gives none) chosen before the first attempt, so the retries
/// after a 503, a timeout or a network error can never store an event twice.
/// </summary>
public sealed class RealtimeHubPublisher : IDisposable
{
    private static readonly JsonSerializerOptions DataOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly TimeSpan LongestRetryAfter = TimeSpan.FromSeconds(30);

    private readonly Func<HttpClient> _http;
    private readonly HttpClient? _ownHttp;
    private readonly RealtimeHubClientOptions _options;
    private readonly IReadOnlyList<HubEndpoint> _endpoints;
    private readonly ILogger _logger;
    private int _current;

    /// <summary>Creates a publisher with an <see cref="HttpClient"/> of its own.</summary>
    /// <param name="options">The hub's URLs, the credentials and the retry policy.</param>
    public RealtimeHubPublisher(RealtimeHubClientOptions options)
        : this(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, options, null)
    {
        _ownHttp = _http();
    }

    /// <summary>Creates a publisher over <paramref name="httpClient"/>, for example one from <c>IHttpClientFactory</c>.</summary>
    /// <param name="httpClient">The client to send with; not disposed by the publisher.</param>
    /// <param name="options">The hub's URLs, the credentials and the retry policy.</param>
    /// <param name="logger">Where retries are logged; nowhere when null.</param>
    public RealtimeHubPublisher(HttpClient httpClient, RealtimeHubClientOptions options, ILogger<RealtimeHubPublisher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        _http = () => httpClient;
        _options = options;
        _endpoints = HubEndpoint.From(options.Urls);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Takes a client from the factory for each publish, as the factory intends; used by <c>AddRealtimeHubClient</c>.</summary>
    internal RealtimeHubPublisher(IHttpClientFactory factory, string clientName, RealtimeHubClientOptions options, ILogger<RealtimeHubPublisher>? logger)
        : this(factory.CreateClient(clientName), options, logger)
    {
        _http = () => factory.CreateClient(clientName);
    }

    /// <summary>Publishes one event; returns the id the hub stored it under.</summary>
    /// <typeparam name="TData">The payload type: a typed payload such as <c>BatchProgressData</c>, an anonymous object or a <c>JsonElement</c>.</typeparam>
    /// <param name="topic">The topic.</param>
    /// <param name="type">The event type, for example <c>EventTypes.BatchProgress</c>.</param>
    /// <param name="data">The payload; serialised as JSON without its null members.</param>
    /// <param name="idempotencyKey">Makes a repeated publish return the first id; a new GUID when null.</param>
    /// <param name="cancellationToken">Stops publishing (an attempt already sent may still be stored).</param>
    /// <exception cref="RealtimeHubPublishException">The hub rejected the event, or the retry policy ran out.</exception>
    public async Task<string> PublishAsync<TData>(
        Topic topic, string type, TData data, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var request = new PublishEventRequest
        {
            Type = type,
            Data = JsonSerializer.SerializeToElement(data, DataOptions),
            IdempotencyKey = idempotencyKey ?? NewKey(),
        };
        var path = $"api/topics/{Uri.EscapeDataString(topic.ToString())}/events";
        var accepted = await SendAsync<PublishEventRequest, PublishAccepted>(path, request, cancellationToken);
        return accepted.Id;
    }

    /// <summary>Publishes several events in one call, all or none; returns their ids in order.</summary>
    /// <param name="items">The events; an item without an idempotency key gets a new GUID.</param>
    /// <param name="cancellationToken">Stops publishing (an attempt already sent may still be stored).</param>
    /// <exception cref="RealtimeHubPublishException">The hub rejected the batch (<see cref="RealtimeHubPublishException.Index"/> names the item), or the retry policy ran out.</exception>
    public async Task<IReadOnlyList<string>> PublishBatchAsync(IEnumerable<BatchPublishItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var keyed = items.Select(item => item with { IdempotencyKey = item.IdempotencyKey ?? NewKey() }).ToList();
        var accepted = await SendAsync<List<BatchPublishItem>, BatchPublishAccepted>("api/events", keyed, cancellationToken);
        return accepted.Ids;
    }

    /// <summary>Disposes the <see cref="HttpClient"/> when the publisher created it.</summary>
    public void Dispose()
    {
        _ownHttp?.Dispose();
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.ServiceUnavailable
        or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>Posts <paramref name="body"/> until it is accepted, rejected, or the retry policy gives up; each retry goes to the next node.</summary>
    private async Task<TAccepted> SendAsync<TBody, TAccepted>(string path, TBody body, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = _endpoints[(int)((uint)Volatile.Read(ref _current) % _endpoints.Count)];
            Exception? error = null;
            TimeSpan? retryAfter = null;
            string reason;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.PublishAttemptTimeout);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint.Base, path)) { Content = JsonContent.Create(body) };
                await AuthorizeAsync(request);
                using var response = await _http().SendAsync(request, timeout.Token);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    return await response.Content.ReadFromJsonAsync<TAccepted>(timeout.Token)
                        ?? throw new RealtimeHubPublishException("The hub answered 202 without a body.") { StatusCode = response.StatusCode };
                }

                if (!IsTransient(response.StatusCode))
                {
                    throw await RejectedAsync(response, timeout.Token);
                }

                reason = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                retryAfter = response.Headers.RetryAfter?.Delta
                    ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            }
            catch (HttpRequestException ex)
            {
                (error, reason) = (ex, "network error");
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                (error, reason) = (ex, $"no answer within {_options.PublishAttemptTimeout}");
            }

            Interlocked.Increment(ref _current);
            var delay = _options.PublishRetryPolicy.NextRetryDelay(new RetryContext
            {
                PreviousRetryCount = attempt,
                ElapsedTime = Stopwatch.GetElapsedTime(started),
                RetryReason = error,
            });
            if (delay is null)
            {
                throw new RealtimeHubPublishException($"The hub did not accept the event after {attempt + 1} attempts; the last failed with {reason}.", error);
            }

            // The hub's Retry-After wins over the policy's step, within reason.
            if (retryAfter is { } hinted && hinted > delay)
            {
                delay = hinted < LongestRetryAfter ? hinted : LongestRetryAfter;
            }

            ClientLog.PublishRetry(_logger, attempt + 1, reason, delay.Value, error);
            await Task.Delay(delay.Value, cancellationToken);
        }
    }

    private async Task AuthorizeAsync(HttpRequestMessage request)
    {
        if (_options.ApiKey is { Length: > 0 } apiKey)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }
        else if (_options.AccessTokenProvider is { } provider && await provider() is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>Reads the problem details of a rejection into an exception that says what was wrong.</summary>
    private static async Task<RealtimeHubPublishException> RejectedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? title = null, detail = null, field = null;
        int? index = null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.ValueKind == JsonValueKind.Object)
            {
                title = Text(problem.RootElement, "title");
                detail = Text(problem.RootElement, "detail");
                field = Text(problem.RootElement, "field");
                index = problem.RootElement.TryGetProperty("index", out var at) && at.TryGetInt32(out var i) ? i : null;
            }
        }
        catch (JsonException)
        {
            detail = text.Length > 500 ? text[..500] : text;
        }

        var status = (int)response.StatusCode;
        var message = string.Join(" ", new[] { $"The hub rejected the publish with {status} {response.ReasonPhrase}.", title, detail }
            .Where(part => !string.IsNullOrWhiteSpace(part)));
        return new RealtimeHubPublishException(message)
        {
            StatusCode = response.StatusCode,
            Title = title,
            Detail = detail,
            Field = field,
            Index = index,
        };

        static string? Text(JsonElement problem, string name) =>
            problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
