using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime;

/// <summary>
/// Loaded into the hub's process through <c>DOTNET_STARTUP_HOOKS</c> (no change to the server's code) so the
/// bench can read the server's managed heap. A background thread waits for a request file in the directory
/// named by <c>HUB_BENCH_PROBE_DIR</c>, runs a full compacting collection and answers with the heap figures.
/// </summary>
[SuppressMessage("Design", "CA1050:Declare types in namespaces", Justification = "The runtime looks startup hooks up by this exact, namespace-less name.")]
internal static class StartupHook
{
    /// <summary>The environment variable naming the exchange directory.</summary>
    public const string DirectoryVariable = "HUB_BENCH_PROBE_DIR";

    /// <summary>The file the bench creates to ask for a collection.</summary>
    public const string RequestFile = "request";

    /// <summary>The file the hook writes its answer to, one <c>name=value</c> per line.</summary>
    public const string ResponseFile = "response";

    /// <summary>Called by the runtime before the server's <c>Main</c>.</summary>
    public static void Initialize()
    {
        var directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        if (string.IsNullOrEmpty(directory))
        {
            return;
        }

        new Thread(() => Serve(directory)) { IsBackground = true, Name = "hub-bench-gc-probe" }.Start();
    }

    private static void Serve(string directory)
    {
        var request = Path.Combine(directory, RequestFile);
        var response = Path.Combine(directory, ResponseFile);
        while (true)
        {
            Thread.Sleep(100);
            if (!File.Exists(request))
            {
                continue;
            }

            File.Delete(request);
            var before = GC.GetTotalMemory(forceFullCollection: false);
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var info = GC.GetGCMemoryInfo();
            var lines = string.Create(CultureInfo.InvariantCulture, $"""
                allocatedBeforeCollect={before}
                liveAfterCollect={GC.GetTotalMemory(forceFullCollection: false)}
                heapSize={info.HeapSizeBytes}
                fragmented={info.FragmentedBytes}
                committed={info.TotalCommittedBytes}
                pinned={info.GenerationInfo[4].SizeAfterBytes}
                serverGc={GCSettings.IsServerGC}
                """);
            File.WriteAllText(response + ".tmp", lines);
            File.Move(response + ".tmp", response, overwrite: true);
        }
    }
}
