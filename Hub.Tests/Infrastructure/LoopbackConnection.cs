using System.Net;
using System.Net.Sockets;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>A real TCP connection on loopback, for tests of what a socket does that no fake would show.</summary>
internal static class LoopbackConnection
{
    /// <summary>Connects a new socket to a listener on a free port: the accepting end and the connecting end.</summary>
    public static async Task<(Socket Accepted, Socket Connecting)> OpenAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var connecting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepting = listener.AcceptAsync();
        await connecting.ConnectAsync(listener.LocalEndPoint!);
        return (await accepting, connecting);
    }
}
