using RealtimeHub.Bench.Accounting;

namespace RealtimeHub.Bench.Load;

/// <summary>One subscriber of the load run, over SSE or a SignalR WebSocket, following one topic.</summary>
internal interface ILoadClient : IAsyncDisposable
{
    /// <summary><c>sse</c> or <c>websocket</c>.</summary>
    string Transport { get; }

    ClientAccount Account { get; }

    /// <summary>From starting the connection to the subscription being in place, for the last connect.</summary>
    TimeSpan ConnectTime { get; }

    /// <summary>Connects and subscribes; after a drop, resumes from <see cref="ClientAccount.LastEventId"/>.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Raised when the connection ends without the bench dropping or closing it (after it is counted in <see cref="LoadErrors"/>).</summary>
    event Action<ILoadClient>? ClosedByServer;

    /// <summary>Drops the connection at once, without a goodbye, as a network failure would.</summary>
    void Drop();
}
