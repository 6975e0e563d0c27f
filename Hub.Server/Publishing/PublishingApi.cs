using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Publishing;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Limits;
using RealtimeHub.Server.OpenApi;

namespace RealtimeHub.Server.Publishing;

/// <summary>The HTTP publishing routes (docs/contract.md, Publishing).</summary>
internal static class PublishingApi
{
    // A name given twice is read differently by different parsers, so it is refused rather than guessed.
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web) { MaxDepth = 64, AllowDuplicateProperties = false };

    public static IEndpointRouteBuilder MapPublishingApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api")
            .WithTags("Publishing")
            .RequireCaller(routes, AuthExtensions.PublisherPolicy)
            .RequireRateLimit(RateLimitPolicy.Publish)
            .ProducesProblems(
                StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
                StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/topics/{topic}/events", PublishOne)
            .WithSummary("Publishes one event to a topic.")
            .AddOpenApiOperationTransformer(PublishExamples.DescribeSingle);
        api.MapPost("/events", PublishBatch)
            .WithSummary("Publishes several events, all or none.")
            .AddOpenApiOperationTransformer(PublishExamples.DescribeBatch);
        return routes;
    }

    private static async Task<Accepted<PublishAccepted>> PublishOne(
        string topic, HttpContext context, IProgressPublisher publisher, TopicAccess access, IOptions<PublishingOptions> options)
    {
        // Parse the route's topic first so a bad topic is named even when the body is bad too.
        var parsed = EventValidator.ParseTopic(topic);
        var request = await ReadBodyAsync<PublishEventRequest>(context, options.Value.MaxEventBytes + (16 * 1024));
        await EnsureMayPublishAsync(context, access, parsed, request.Data, "topic");
        var id = await publisher.PublishAsync(topic, request.Type!, request.Data, request.IdempotencyKey, context.RequestAborted);
        return TypedResults.Accepted((string?)null, new PublishAccepted(id));
    }

    private static async Task<Accepted<BatchPublishAccepted>> PublishBatch(
        HttpContext context, IProgressPublisher publisher, TopicAccess access, IOptions<PublishingOptions> options)
    {
        var limit = (long)options.Value.MaxBatchItems * (options.Value.MaxEventBytes + 1024);
        var items = await ReadBodyAsync<List<BatchPublishItem>>(context, limit);
        for (var i = 0; i < items.Count; i++)
        {
            // A bad topic is the validator's to report (400); only well-formed topics are checked for access here.
            if (items[i] is { Topic: var topic } item && Contracts.Topics.Topic.TryParse(topic, out var parsed, out _))
            {
                await EnsureMayPublishAsync(context, access, parsed, item.Data, $"[{i}].topic", i);
            }
        }

        var ids = await publisher.PublishBatchAsync(items, context.RequestAborted);
        return TypedResults.Accepted((string?)null, new BatchPublishAccepted(ids));
    }

    private static async Task EnsureMayPublishAsync(
        HttpContext context, TopicAccess access, Contracts.Topics.Topic topic, JsonElement data, string field, int? index = null)
    {
        if (!await access.MayPublishAsync(context.User, topic, DataOrganization.Of(data), context.RequestAborted))
        {
            throw new EventRejectedException(
                field, $"You may not publish to topic '{topic}' or on behalf of the organisation its data names.", StatusCodes.Status403Forbidden, index);
        }
    }

    /// <summary>Reads the JSON body, turning every way it can be malformed into a 400 that says where.</summary>
    private static async Task<T> ReadBodyAsync<T>(HttpContext context, long maxBytes)
        where T : class
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        if (!context.Request.HasJsonContentType())
        {
            throw new EventRejectedException("body", "The body must be JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        }

        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, BodyOptions, context.RequestAborted)
                ?? throw new EventRejectedException("body", "The body is null.");
        }
        catch (JsonException ex)
        {
            var where = string.IsNullOrEmpty(ex.Path) ? "body" : $"body{ex.Path.TrimStart('$')}";
            throw new EventRejectedException(where, $"The body is not valid JSON of the expected shape: {ex.Message}");
        }
    }
}
