namespace RealtimeHub.Server.Publishing;

/// <summary>
/// An event was refused before anything was stored. <see cref="Field"/> names the offending part
/// (for example <c>data.state.percent_complete</c>, or <c>[3].topic</c> in a batch).
/// </summary>
public sealed class EventRejectedException(string field, string message, int statusCode = StatusCodes.Status400BadRequest, int? index = null)
    : Exception($"{field}: {message}")
{
    /// <summary>The index of the offending item in a batch publish, if the event came in one.</summary>
    public int? Index { get; } = index;

    /// <summary>The path of the offending part of the request.</summary>
    public string Field { get; } = field;

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; } = message;

    /// <summary>400, or 413 for an oversized event.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The same rejection, located inside item <paramref name="index"/> of a batch.</summary>
    public EventRejectedException AtIndex(int index) => new($"[{index}].{Field}", Reason, StatusCode, index);
}
