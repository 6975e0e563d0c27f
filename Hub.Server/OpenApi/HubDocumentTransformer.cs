using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using RealtimeHub.Server.Auth;
using RealtimeHub.Server.Health;

namespace RealtimeHub.Server.OpenApi;

/// <summary>
/// The document's title, the two security schemes (an API key in <c>X-Api-Key</c>, a JWT bearer token),
/// and the health probes, which ASP.NET Core's health checks map without a handler method the generator
/// could describe.
/// </summary>
internal sealed class HubDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "RealtimeHub",
            Version = OpenApiExtensions.DocumentName,
            Description = "Publishing, server-sent event streams, the dashboard's reads and health of the progress hub. "
                + "Problems are RFC 7807 bodies; docs/contract.md is the full contract.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyHandler.HeaderName,
            Description = "A server-to-server key from Auth__ApiKeys; it acts as admin.",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT signed with Auth__SigningKey or by Auth__Authority; EventSource passes it as ?access_token= or ?token=.",
        };
        document.Paths ??= [];
        document.Paths[HealthEndpoints.LiveRoute] = Probe("Liveness: 200 Healthy while the process serves requests.", ready: false);
        document.Paths[HealthEndpoints.ReadyRoute] = Probe(
            "Readiness: 200 Healthy while the backplane and the history store answer, 503 Unhealthy otherwise.", ready: true);
        return Task.CompletedTask;
    }

    private static OpenApiPathItem Probe(string summary, bool ready)
    {
        var responses = new OpenApiResponses { ["200"] = ProbeAnswer("Healthy") };
        if (ready)
        {
            responses["503"] = ProbeAnswer("Unhealthy");
        }

        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new OpenApiOperation
                {
                    Tags = new HashSet<OpenApiTagReference> { new("Health") },
                    Summary = summary,
                    Responses = responses,
                },
            },
        };
    }

    private static OpenApiResponse ProbeAnswer(string status) => new()
    {
        Description = status,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/plain"] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = status },
        },
    };
}
