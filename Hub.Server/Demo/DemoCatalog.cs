using System.Globalization;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// Decides which job starts next: the three products in turn, each failing at the configured rate,
/// spread evenly so a short run already shows a failure (0.25: the 2nd, 6th, 10th job of a kind).
/// </summary>
internal sealed class DemoCatalog(double failureRate)
{
    private static readonly string[] Merchants =
    [
        "northwind-goods", "alpine-outfitters", "bluebird-books", "cedar-home",
        "harbor-coffee", "maple-cycles", "summit-apparel", "lumen-lighting",
    ];

    private static readonly string[] Organizations = [.. Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString())];

    private readonly HashSet<string> _busyMerchants = new(StringComparer.Ordinal);
    private readonly int[] _started = new int[3];
    private int _turn;
    private int _poNumber = 10400 + DemoScript.Random.Next(100);

    /// <summary>The next job to start; null when every kind is busy (all merchants are syncing).</summary>
    public DemoJob? Next()
    {
        lock (_busyMerchants)
        {
            for (var attempt = 0; attempt < 3; attempt++)
            {
                var kind = _turn++ % 3;
                if (Create(kind) is { } job)
                {
                    return job;
                }
            }

            return null;
        }
    }

    /// <summary>Frees what a finished job held (its merchant, whose stream shows one workflow at a time).</summary>
    public void Finished(DemoJob job)
    {
        if (job is PoSyncJob po)
        {
            lock (_busyMerchants)
            {
                _busyMerchants.Remove(po.MerchantId);
            }
        }
    }

    private DemoJob? Create(int kind)
    {
        var random = DemoScript.Random;
        switch (kind)
        {
            case 0:
                var idle = Merchants.Where(m => !_busyMerchants.Contains(m)).ToArray();
                if (idle.Length == 0)
                {
                    return null;
                }

                var merchant = idle[random.Next(idle.Length)];
                _busyMerchants.Add(merchant);
                return new PoSyncJob(merchant, ++_poNumber, NextFails(kind));
            case 1:
                return new BomEnrichmentJob($"bom-{Hex()}", Organizations[random.Next(Organizations.Length)], NextFails(kind));
            default:
                var day = DateTime.UtcNow.ToString("yyMMdd", CultureInfo.InvariantCulture);
                return new OmrBatchJob($"omr-{day}-{Hex()}", NextFails(kind));
        }
    }

    private bool NextFails(int kind)
    {
        var n = ++_started[kind];
        return Math.Floor((n * failureRate) + 0.5) > Math.Floor(((n - 1) * failureRate) + 0.5);
    }

    private static string Hex() => DemoScript.Random.Next(0x100000, 0xFFFFFF).ToString("x6", CultureInfo.InvariantCulture);
}
