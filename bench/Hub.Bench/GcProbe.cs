using System.Globalization;

namespace RealtimeHub.Bench;

/// <summary>The server's managed heap right after a full compacting collection, as reported by <see cref="StartupHook"/>.</summary>
/// <param name="AllocatedBeforeCollect">Bytes on the heap before the collection (live and not yet collected).</param>
/// <param name="LiveAfterCollect">Bytes on the heap after it: what the server's objects really hold.</param>
/// <param name="HeapSize">The GC's heap size after it, including fragmentation.</param>
/// <param name="Committed">Memory the GC has committed from the OS.</param>
/// <param name="Pinned">The pinned object heap, where Kestrel's I/O buffers live.</param>
/// <param name="ServerGc">True when the server runs the server GC.</param>
internal sealed record GcSnapshot(long AllocatedBeforeCollect, long LiveAfterCollect, long HeapSize, long Committed, long Pinned, bool ServerGc);

/// <summary>The bench's side of the heap probe: asks the hooked server for a <see cref="GcSnapshot"/> through a directory.</summary>
internal sealed class GcProbe : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hub-bench-").FullName;

    /// <summary>The variables that load the hook into a process started with them.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location,
        [StartupHook.DirectoryVariable] = _directory,
    };

    /// <summary>Forces a full collection in the server and reads the heap; null if it does not answer in time.</summary>
    public async Task<GcSnapshot?> CollectAsync(CancellationToken cancellationToken)
    {
        var response = Path.Combine(_directory, StartupHook.ResponseFile);
        File.Delete(response);
        await File.WriteAllTextAsync(Path.Combine(_directory, StartupHook.RequestFile), "", cancellationToken);
        for (var waited = 0; waited < 300 && !File.Exists(response); waited++)
        {
            await Task.Delay(100, cancellationToken);
        }

        if (!File.Exists(response))
        {
            return null;
        }

        var values = (await File.ReadAllLinesAsync(response, cancellationToken))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        long Bytes(string name) => long.Parse(values[name], CultureInfo.InvariantCulture);
        return new GcSnapshot(Bytes("allocatedBeforeCollect"), Bytes("liveAfterCollect"), Bytes("heapSize"), Bytes("committed"), Bytes("pinned"), bool.Parse(values["serverGc"]));
    }

    /// <inheritdoc/>
    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
