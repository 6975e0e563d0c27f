using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using RealtimeHub.Server.Redis;

namespace RealtimeHub.Server.Publishing;

/// <summary>
/// Turns the publishing path's failures into RFC 7807 problem details: a rejected event into 400 or
/// 413 naming the bad part, an unreachable store into 503 with <c>Retry-After</c>.
/// </summary>
internal sealed class PublishingProblems : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case EventRejectedException rejected:
                problem = new ProblemDetails
                {
                    Status = rejected.StatusCode,
                    Title = rejected.StatusCode switch
                    {
                        StatusCodes.Status413PayloadTooLarge => "The event is too large.",
                        StatusCodes.Status403Forbidden => "Publishing to this topic is not allowed.",
                        _ => "The event was rejected.",
                    },
                    Detail = rejected.Index is { } index ? $"Item {index} is invalid: {rejected.Field}: {rejected.Reason}" : $"{rejected.Field}: {rejected.Reason}",
                };
                problem.Extensions["field"] = rejected.Field;
                if (rejected.Index is { } at)
                {
                    problem.Extensions["index"] = at;
                }

                break;
            case RedisUnavailableException unavailable:
                httpContext.Response.Headers.RetryAfter =
                    ((int)RedisUnavailableException.RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The event store is unavailable.",
                    Detail = $"{unavailable.Message} Nothing was published; retry after the Retry-After delay.",
                };
                break;
            case BadHttpRequestException badRequest:
                problem = new ProblemDetails
                {
                    Status = badRequest.StatusCode,
                    Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large." : "The request is malformed.",
                    Detail = badRequest.Message,
                };
                break;
            default:
                return false;
        }

        // Written whatever the client accepts, so a publisher always learns what was wrong.
        await TypedResults.Problem(problem).ExecuteAsync(httpContext);
        return true;
    }
}
