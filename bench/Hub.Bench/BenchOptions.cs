using System.Globalization;

namespace RealtimeHub.Bench;

/// <summary>What to measure and how long to wait; parsed from the command line (see <see cref="Usage"/>).</summary>
internal sealed record BenchOptions
{
    /// <summary>The command-line help.</summary>
    public const string Usage = """
        Hub.Bench: server memory per idle connection, and the load generator.
        Builds Hub.Server in Release, starts it on a free loopback port (or several nodes sharing a Redis it
        starts), opens the connections, measures, stops everything.

        usage: dotnet run --project bench/Hub.Bench -c Release -- [--scenario idle|load] [options]

        idle (the default): server memory per idle connection, SSE streams first, then WebSockets
          --connections N     SSE streams to open (10000); --sse is the same
          --ws N              SignalR WebSocket connections to open after the SSE streams (0)
          --topics P          distinct topics; stream i uses topic i % P (100)
          --route R           sse | merchant | enrichment | batch (sse: /api/sse?topic=bom:<i % P>)
          --sources K         loopback source addresses 127.0.0.1 .. 127.0.0.K (8)
          --concurrency C     connection attempts in flight at once (200)
          --warmup W          streams opened and closed before the baseline (20)
          --settle S          seconds idle before each measurement (10)
          --connect-timeout S seconds allowed for one stream's headers and retry: line (30)
          --timeout S         hard limit for the whole run, in seconds (600)
          --redis CONN        run the hub with Redis__ConnectionString=CONN; "start" starts a redis-server for
                              the run on a free loopback port (default: embedded, no Redis)
          --protocol NAME     SignalR protocol of the WebSocket clients: messagepack or json (messagepack)

        load: subscribers on /api/sse and the hub, a publisher on POST /api/events, lost/duplicate accounting
          --sse M --ws N      SSE and WebSocket subscribers (10000, 0); subscriber j of a transport follows
                              topic j % P of merchant:bench-0 .. merchant:bench-(P-1)
          --rate R            events published per second over all topics (1000)
          --duration S        seconds of publishing (30)
          --lanes L           publishing lanes, each owning topics t % L == l and posting batches in order (8)
          --nodes K           hub nodes sharing Redis (1); K > 1 needs --redis
          --replicas N        replicas the bench starts for its redis-server (0); needs --redis start
          --acknowledge N     run the hub with Redis__ReplicasToAcknowledge=N: a publish is answered once N
                              replicas have it (0)
          --storm-at S        drop every subscriber at once S seconds into publishing; they reconnect at once
                              with their last ids (--concurrency attempts in flight)
          --stalled N         N more subscribers (half SSE, half WebSocket, over the same topics) with a 4 KiB
                              SO_RCVBUF that stop reading once subscribed; kept out of the account, the report
                              says how many the hub closed by the end (0)
          --drain S           seconds allowed after publishing for the last events to arrive (30)
          --json PATH         also write the result as JSON to PATH
          --no-build          use the existing Hub.Server/bin/Release build
          --no-gc-probe       do not load the heap probe (a startup hook) into the server
          --repo PATH         the repository root (default: found from the current directory)
          --source TEXT       what to report as the Hub.Server source (default: the git commit of --repo)
        """;

    public string Scenario { get; init; } = "idle";

    /// <summary>SSE streams (idle) or SSE subscribers (load).</summary>
    public int Connections { get; init; } = 10_000;

    /// <summary>SignalR WebSocket connections.</summary>
    public int WebSockets { get; init; }

    public bool MessagePack { get; init; } = true;

    public double Rate { get; init; } = 1000;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    public int Lanes { get; init; } = 8;

    public int Nodes { get; init; } = 1;

    /// <summary>Replicas of the bench's own redis-server.</summary>
    public int Replicas { get; init; }

    /// <summary>The hub's <c>Redis:ReplicasToAcknowledge</c>.</summary>
    public int Acknowledge { get; init; }

    public TimeSpan? StormAt { get; init; }

    /// <summary>Subscribers that stop reading once subscribed (load).</summary>
    public int Stalled { get; init; }

    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The load topics are <c>merchant:&lt;prefix&gt;-&lt;n&gt;</c>.</summary>
    public string TopicPrefix { get; init; } = "bench";

    /// <summary>True when the bench starts its own redis-server.</summary>
    public bool StartsRedis => Redis == "start";

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

    public string? Source { get; init; }

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
                "--scenario" => Value() is "idle" or "load" ? options with { Scenario = args[i] } : throw new ArgumentException("--scenario is idle or load."),
                "--connections" or "--sse" => options with { Connections = Count(0) },
                "--ws" => options with { WebSockets = Count(0) },
                "--protocol" => Value() switch
                {
                    "messagepack" => options with { MessagePack = true },
                    "json" => options with { MessagePack = false },
                    _ => throw new ArgumentException("--protocol is messagepack or json."),
                },
                "--rate" => options with { Rate = double.Parse(Value(), CultureInfo.InvariantCulture) },
                "--duration" => options with { Duration = Seconds() },
                "--lanes" => options with { Lanes = Count(1) },
                "--nodes" => options with { Nodes = Count(1) },
                "--replicas" => options with { Replicas = Count(0) },
                "--acknowledge" => options with { Acknowledge = Count(0) },
                "--storm-at" => options with { StormAt = Seconds() },
                "--stalled" => options with { Stalled = Count(0) },
                "--drain" => options with { Drain = Seconds() },
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
                "--source" => options with { Source = Value() },
                "-h" or "--help" => null,
                _ => throw new ArgumentException($"Unknown option '{args[i]}'. Try --help."),
            };
            if (options is null)
            {
                return null;
            }
        }

        _ = options.RouteTemplate;
        if (options.Nodes > 1 && options.Redis is null)
        {
            throw new ArgumentException("--nodes above 1 needs Redis: --redis start, or --redis CONN.");
        }

        if (options.Replicas > 0 && !options.StartsRedis)
        {
            throw new ArgumentException("--replicas needs --redis start.");
        }

        if (options.Acknowledge > 0 && options.Redis is null)
        {
            throw new ArgumentException("--acknowledge needs Redis: --redis start --replicas N, or --redis CONN.");
        }

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
