using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using RealtimeHub.Contracts.Publishing;

namespace RealtimeHub.Server.Publishing;

/// <summary>The HTTP publishing routes of CONTRACT.md §3.</summary>
internal static class PublishingApi
{
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web) { MaxDepth = 64 };

    public static IEndpointRouteBuilder MapPublishingApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api").WithTags("Publishing");
        api.MapPost("/topics/{topic}/events", PublishOne);
        api.MapPost("/events", PublishBatch);
        return routes;
    }

    private static async Task<Accepted<PublishAccepted>> PublishOne(
        string topic, HttpContext context, IProgressPublisher publisher, IOptions<PublishingOptions> options)
    {
        // Parse the route's topic first so a bad topic is named even when the body is bad too.
        EventValidator.ParseTopic(topic);
        var request = await ReadBodyAsync<PublishEventRequest>(context, options.Value.MaxEventBytes + (16 * 1024));
        var id = await publisher.PublishAsync(topic, request.Type!, request.Data, request.IdempotencyKey, context.RequestAborted);
        return TypedResults.Accepted((string?)null, new PublishAccepted(id));
    }

    private static async Task<Accepted<BatchPublishAccepted>> PublishBatch(
        HttpContext context, IProgressPublisher publisher, IOptions<PublishingOptions> options)
    {
        var limit = (long)options.Value.MaxBatchItems * (options.Value.MaxEventBytes + 1024);
        var items = await ReadBodyAsync<List<BatchPublishItem>>(context, limit);
        var ids = await publisher.PublishBatchAsync(items, context.RequestAborted);
        return TypedResults.Accepted((string?)null, new BatchPublishAccepted(ids));
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
