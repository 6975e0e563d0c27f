using System.Net;

namespace RealtimeHub.Client;

/// <summary>
/// A publish the hub rejected (400, 401, 403, 413, ...) or that still failed when the publish retry policy
/// ran out; carries the RFC 7807 problem details the hub answered with.
/// </summary>
public sealed class RealtimeHubPublishException : Exception
{
    /// <summary>Creates an exception with a message only.</summary>
    public RealtimeHubPublishException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public RealtimeHubPublishException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, for example the last network error.</param>
    public RealtimeHubPublishException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The HTTP status of the last answer, or null when no answer came.</summary>
    public HttpStatusCode? StatusCode { get; init; }

    /// <summary>The problem's <c>title</c>.</summary>
    public string? Title { get; init; }

    /// <summary>The problem's <c>detail</c>, which names the bad part, for example <c>data.state.percent_complete: ...</c>.</summary>
    public string? Detail { get; init; }

    /// <summary>The problem's <c>field</c>: the bad part of the event, for example <c>type</c> or <c>data.progress</c>.</summary>
    public string? Field { get; init; }

    /// <summary>The problem's <c>index</c>: the bad item of a batch.</summary>
    public int? Index { get; init; }
}
