namespace RealtimeHub.Server.Auth;

/// <summary>
/// Endpoint metadata of the routes that need a caller when auth is on, present whether auth is on or
/// not, so the OpenAPI document names their credentials in every environment.
/// </summary>
internal sealed class CallerRequired
{
    public static readonly CallerRequired Instance = new();

    private CallerRequired()
    {
    }
}
