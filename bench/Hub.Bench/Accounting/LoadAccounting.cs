namespace RealtimeHub.Bench.Accounting;

/// <summary>The whole run's account: the publisher's log, every client's ledger and the latencies.</summary>
/// <param name="published">The publisher's log: this process's own, or one shared with the publishing process.</param>
internal sealed class LoadAccounting(PublishLog published)
{
    private readonly List<ClientAccount> _clients = [];
    private long _received;
    private long _duplicates;
    private long _outOfOrder;
    private long _overlaps;

    /// <summary>An account with a publish log of its own over <paramref name="topics"/> topics.</summary>
    public LoadAccounting(int topics)
        : this(new PublishLog(topics))
    {
    }

    public PublishLog Published { get; } = published;

    public LatencyRecorder Latency { get; } = new();

    /// <summary>Every event sighting, duplicates included.</summary>
    public long Received => Interlocked.Read(ref _received);

    public IReadOnlyList<ClientAccount> Clients
    {
        get
        {
            lock (_clients)
            {
                return [.. _clients];
            }
        }
    }

    /// <summary>A new client's account, following <paramref name="topic"/>.</summary>
    public ClientAccount AddClient(int topic)
    {
        var account = new ClientAccount(topic, this);
        lock (_clients)
        {
            _clients.Add(account);
        }

        return account;
    }

    /// <summary>True once no subscribed client misses anything the publisher had acknowledged.</summary>
    public bool CaughtUp() => Clients.All(c => c.Ledger.Baseline < 0 || c.Ledger.Lost(Published.Acknowledged(c.Topic)) == 0);

    /// <summary>Totals over all clients, against what the publisher had acknowledged.</summary>
    public AccountSummary Summarize()
    {
        long expected = 0, lost = 0, delivered = 0, lossyClients = 0, neverSubscribed = 0;
        foreach (var client in Clients)
        {
            if (client.Ledger.Baseline < 0)
            {
                // Never connected: its connect error is reported, and it had nothing to see.
                neverSubscribed++;
                continue;
            }

            var published = Published.Acknowledged(client.Topic);
            expected += client.Ledger.Expected(published);
            var missing = client.Ledger.Lost(published);
            lost += missing;
            lossyClients += missing > 0 ? 1 : 0;
            delivered += client.Ledger.Delivered;
        }

        return new AccountSummary(
            expected, delivered, lost, lossyClients, Interlocked.Read(ref _duplicates), Interlocked.Read(ref _outOfOrder), Received, neverSubscribed,
            Interlocked.Read(ref _overlaps));
    }

    internal void CountOverlap() => Interlocked.Increment(ref _overlaps);

    internal void Count(Delivery delivery)
    {
        Interlocked.Increment(ref _received);
        if (delivery == Delivery.Duplicate)
        {
            Interlocked.Increment(ref _duplicates);
        }
        else if (delivery == Delivery.OutOfOrder)
        {
            Interlocked.Increment(ref _outOfOrder);
        }
    }
}

/// <summary>The account's totals.</summary>
/// <param name="Expected">Events the clients had to see: published after each one subscribed.</param>
/// <param name="Delivered">Distinct events the clients saw (including optional ones from before they subscribed).</param>
/// <param name="Lost">Expected events never seen.</param>
/// <param name="ClientsWithLoss">Clients that missed at least one.</param>
/// <param name="Duplicates">Extra sightings of events already seen.</param>
/// <param name="OutOfOrder">Events seen after a later one of the same topic.</param>
/// <param name="Received">Every sighting, duplicates included.</param>
/// <param name="NeverSubscribed">Clients that never connected, left out of the account.</param>
/// <param name="ResumeOverlaps">Events a SignalR client got both in <c>Subscribe</c>'s result and live, and dropped by id as the contract says.</param>
internal sealed record AccountSummary(
    long Expected, long Delivered, long Lost, long ClientsWithLoss, long Duplicates, long OutOfOrder, long Received, long NeverSubscribed,
    long ResumeOverlaps = 0)
{
    /// <summary>Nothing yet: the start of a sum.</summary>
    public static readonly AccountSummary Zero = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>The account of two disjoint sets of clients together.</summary>
    public AccountSummary Plus(AccountSummary other) => new(
        Expected + other.Expected, Delivered + other.Delivered, Lost + other.Lost, ClientsWithLoss + other.ClientsWithLoss,
        Duplicates + other.Duplicates, OutOfOrder + other.OutOfOrder, Received + other.Received, NeverSubscribed + other.NeverSubscribed,
        ResumeOverlaps + other.ResumeOverlaps);
}
