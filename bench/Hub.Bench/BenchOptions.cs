using System.Globalization;

namespace RealtimeHub.Bench;

/// <summary>What to measure and how long to wait; parsed from the command line (see <see cref="Usage"/>).</summary>
internal sealed record BenchOptions
{
    /// <summary>The command-line help.</summary>
    public const string Usage = """
        Hub.Bench: server memory per idle SSE connection.
        Builds Hub.Server in Release, starts it on a free loopback port, opens the streams, measures, stops it.

        usage: dotnet run --project bench/Hub.Bench -c Release -- [options]
          --connections N     SSE streams to open (10000)
          --topics P          distinct topics; stream i uses topic i % P (100)
          --route R           sse | merchant | enrichment | batch (sse: /api/sse?topic=bom:<i % P>)
          --sources K         loopback source addresses 127.0.0.1 .. 127.0.0.K (8)
          --concurrency C     connection attempts in flight at once (200)
          --warmup W          streams opened and closed before the baseline (20)
          --settle S          seconds idle before each measurement (10)
          --connect-timeout S seconds allowed for one stream's headers and retry: line (30)
          --timeout S         hard limit for the whole run, in seconds (600)
          --redis CONN        run the hub with Redis__ConnectionString=CONN (default: embedded, no Redis)
          --json PATH         also write the result as JSON to PATH
          --no-build          use the existing Hub.Server/bin/Release build
          --no-gc-probe       do not load the heap probe (a startup hook) into the server
          --repo PATH         the repository root (default: found from the current directory)
        """;

    public int Connections { get; init; } = 10_000;

    public int Topics { get; init; } = 100;

    public string Route { get; init; } = "sse";

    public int Sources { get; init; } = 8;

    public int Concurrency { get; init; } = 200;

    public int Warmup { get; init; } = 20;

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(600);

    public string? Redis { get; init; }

    public string? JsonPath { get; init; }

    public bool Build { get; init; } = true;

    public bool GcProbe { get; init; } = true;

    public string? Repo { get; init; }

    /// <summary>The chosen route with <c>{id}</c> standing for stream i's topic id, i % <see cref="Topics"/>.</summary>
    public string RouteTemplate => Route switch
    {
        "sse" => "/api/sse?topic=bom:{id}",
        "merchant" => "/api/realtime/events/{id}",
        "enrichment" => "/api/enrichment/stream/{id}",
        "batch" => "/api/batches/{id}/stream",
        _ => throw new ArgumentException($"Unknown route '{Route}': use sse, merchant, enrichment or batch."),
    };

    /// <summary>The path of stream <paramref name="index"/> on the chosen route.</summary>
    public string PathOf(int index) =>
        RouteTemplate.Replace("{id}", (index % Topics).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Parses the arguments; null when help was asked for.</summary>
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
            int Count(int min) => int.Parse(Value(), CultureInfo.InvariantCulture) is var n && n >= min
                ? n
                : throw new ArgumentException($"{args[i - 1]} must be at least {min}.");
            TimeSpan Seconds() => TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));

            options = args[i] switch
            {
                "--connections" => options with { Connections = Count(1) },
                "--topics" => options with { Topics = Count(1) },
                "--route" => options with { Route = Value() },
                "--sources" => options with { Sources = Count(1) },
                "--concurrency" => options with { Concurrency = Count(1) },
                "--warmup" => options with { Warmup = Count(0) },
                "--settle" => options with { Settle = Seconds() },
                "--connect-timeout" => options with { ConnectTimeout = Seconds() },
                "--timeout" => options with { Timeout = Seconds() },
                "--redis" => options with { Redis = Value() },
                "--json" => options with { JsonPath = Value() },
                "--no-build" => options with { Build = false },
                "--no-gc-probe" => options with { GcProbe = false },
                "--repo" => options with { Repo = Value() },
                "-h" or "--help" => null,
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Try --help."),
            };
            if (options is null)
            {
                return null;
            }
        }

        _ = options.RouteTemplate;
        return options;
    }

    /// <summary>The repository root: <see cref="Repo"/>, or the nearest folder holding RealtimeHub.sln.</summary>
    public string RepoRoot()
    {
        if (Repo is not null)
        {
            return Path.GetFullPath(Repo);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "RealtimeHub.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new ArgumentException("RealtimeHub.sln not found above the current directory; pass --repo.");
    }
}
