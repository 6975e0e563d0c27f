using Microsoft.AspNetCore.SignalR.Client;
using RealtimeHub.Client.Internal;

namespace RealtimeHub.Client;

/// <summary>Where the hub runs and how to reach it; shared by <see cref="RealtimeHubClient"/> and <see cref="RealtimeHubPublisher"/>.</summary>
public sealed class RealtimeHubClientOptions
{
    /// <summary>
    /// The hub nodes, each as its base address (<c>http://node-a:5080/</c>) or its hub address
    /// (<c>http://node-a:5080/hubs/progress</c>). After a lost connection the client moves on to the next.
    /// </summary>
    public IList<Uri> Urls { get; } = new List<Uri>();

    /// <summary>The SignalR protocol; MessagePack unless set.</summary>
    public RealtimeHubProtocol Protocol { get; set; } = RealtimeHubProtocol.MessagePack;

    /// <summary>Supplies the access token: sent to the hub, and as a Bearer token when publishing without an <see cref="ApiKey"/>.</summary>
    public Func<Task<string?>>? AccessTokenProvider { get; set; }

    /// <summary>A server-to-server publisher key, sent as <c>X-Api-Key</c> by the publisher.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long to wait between attempts to reach a node or rejoin a topic; by default backs off to 10 s and never gives up.</summary>
    public IRetryPolicy ReconnectPolicy { get; set; } = BackoffRetryPolicy.Reconnect();

    /// <summary>How long the publisher waits between attempts after a 503 or a network error; by default gives up after a minute.</summary>
    public IRetryPolicy PublishRetryPolicy { get; set; } = BackoffRetryPolicy.Publish();

    /// <summary>How long one publish attempt may take before it is retried.</summary>
    public TimeSpan PublishAttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
