using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace RealtimeHub.Server.OpenApi;

/// <summary>Describes routes for the OpenAPI document: their RFC 7807 problem answers and their event streams.</summary>
internal static class ApiDescription
{
    /// <summary>The content type of every problem answer.</summary>
    public const string ProblemContentType = "application/problem+json";

    /// <summary>The content type of the SSE routes.</summary>
    public const string EventStreamContentType = "text/event-stream";

    /// <summary>Documents that the routes answer each of <paramref name="statusCodes"/> with an RFC 7807 problem.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder endpoints, params int[] statusCodes)
        where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes)
        {
            endpoints.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), [ProblemContentType]));
        }

        return endpoints;
    }

    /// <summary>Documents a server-sent event stream: 200 with <c>text/event-stream</c> frames of text.</summary>
    public static TBuilder ProducesEventStream<TBuilder>(this TBuilder endpoints)
        where TBuilder : IEndpointConventionBuilder =>
        endpoints.ProducesResponse(StatusCodes.Status200OK, typeof(string), EventStreamContentType);

    /// <summary>Documents an answer of any route or group: its status, body type (none when null) and content types.</summary>
    public static TBuilder ProducesResponse<TBuilder>(this TBuilder endpoints, int statusCode, Type? type = null, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder =>
        endpoints.WithMetadata(new ProducesResponseTypeMetadata(statusCode, type, contentTypes));

    /// <summary>Documents a string parameter the route reads itself (a query value or a header), as a list when <paramref name="repeated"/>.</summary>
    public static void AddParameter(
        this OpenApiOperation operation, string name, ParameterLocation location, string description, bool required = false, bool repeated = false)
    {
        var text = new OpenApiSchema { Type = JsonSchemaType.String };
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name,
            In = location,
            Description = description,
            Required = required,
            Schema = repeated ? new OpenApiSchema { Type = JsonSchemaType.Array, Items = text } : text,
        });
    }
}
