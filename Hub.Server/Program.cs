using RealtimeHub.Server.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddRealtimeHub();
    var app = builder.Build();
    app.MapRealtimeHub();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartupFailure.Describe(ex) is { } reason)
{
    Console.Error.WriteLine(reason);
    return 1;
}
