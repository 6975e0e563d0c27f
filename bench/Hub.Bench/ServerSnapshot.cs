namespace RealtimeHub.Bench;

/// <summary>The server's memory at one moment.</summary>
/// <param name="Rss">Resident set size (VmRSS) as the server left it, in bytes.</param>
/// <param name="Threads">Threads in the server.</param>
/// <param name="Gc">The managed heap after a forced full collection; null without the probe.</param>
/// <param name="RssAfterCollect">VmRSS after that collection; null without the probe.</param>
internal sealed record ServerSnapshot(long Rss, long Threads, GcSnapshot? Gc, long? RssAfterCollect)
{
    /// <summary>Reads RSS first, so the forced collection cannot flatter it, then asks the probe.</summary>
    public static async Task<ServerSnapshot> TakeAsync(HubServer server, GcProbe? probe, CancellationToken cancellationToken)
    {
        var rss = server.ReadRss();
        var threads = server.ReadThreads();
        var gc = probe is null ? null : await probe.CollectAsync(cancellationToken);
        return new ServerSnapshot(rss, threads, gc, gc is null ? null : server.ReadRss());
    }
}
