using System.IO.Pipelines;

namespace RealtimeHub.Server.WebSockets;

/// <summary>A connection's two directions: what it reads from <paramref name="input"/>, what it writes to <paramref name="output"/>.</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input => input;

    public PipeWriter Output => output;
}
