namespace RealtimeHub.Server.Publishing;

/// <summary>
/// A publish was refused before anything was stored: an invalid or oversized event or batch, a body that
/// is not JSON, or a topic or organisation the caller may not publish to. <see cref="Field"/> names the
/// offending part (for example <c>data.state.percent_complete</c>, or <c>[3].topic</c> in a batch).
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

    /// <summary>400; 413 for an oversized event or batch, 403 for a topic or organisation the caller may not publish to, 415 for a body that is not JSON.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The same rejection, located inside item <paramref name="index"/> of a batch.</summary>
    public EventRejectedException AtIndex(int index) => new($"[{index}].{Field}", Reason, StatusCode, index);
}
