using Microsoft.AspNetCore.Http;

namespace RealtimeHub.Server.Hosting;

/// <summary>Says what to do next in problems written for a bare status code (401, 403, 404, ...).</summary>
internal static class ProblemDefaults
{
    public static void FillDetail(ProblemDetailsContext context)
    {
        context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
        {
            StatusCodes.Status401Unauthorized =>
                "A valid credential is required: a bearer token (Authorization header, or the access_token or token query parameter) or an X-Api-Key.",
            StatusCodes.Status403Forbidden => "Your credential does not grant this; publishing needs the publisher or admin role.",
            StatusCodes.Status404NotFound => "No route matches this path; see docs/contract.md for the routes.",
            StatusCodes.Status405MethodNotAllowed => "This route does not accept that method.",
            _ => null,
        };
    }
}
