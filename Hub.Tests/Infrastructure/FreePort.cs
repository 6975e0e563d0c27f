using System.Net;
using System.Net.Sockets;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>Asks the OS for a free loopback port (for servers that cannot bind port 0 themselves).</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
