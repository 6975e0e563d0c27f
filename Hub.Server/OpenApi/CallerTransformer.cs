using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RealtimeHub.Server.Auth;

namespace RealtimeHub.Server.OpenApi;

/// <summary>
/// Names the credentials a route accepts (an <c>X-Api-Key</c> or a bearer token, either one) on every
/// route marked <see cref="CallerRequired"/>.
/// </summary>
internal sealed class CallerTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<CallerRequired>().Any())
        {
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HubDocumentTransformer.ApiKeyScheme, context.Document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(HubDocumentTransformer.BearerScheme, context.Document)] = [] },
            ];
        }

        return Task.CompletedTask;
    }
}
