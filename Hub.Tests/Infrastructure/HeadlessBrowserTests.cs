using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RealtimeHub.Tests.Infrastructure;

public sealed class HeadlessBrowserTests
{
    private const string Page = """
        <!doctype html>
        <html><body><p>harness</p><script>
          window.__result = { ua: navigator.userAgent, sum: 1 + 2 };
          window.__done = true;
        </script></body></html>
        """;

    [Fact]
    public async Task Real_headless_Chromium_runs_a_page_served_by_Kestrel_and_returns_its_result()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        app.MapGet("/", () => Results.Content(Page, "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var screenshot = Path.Combine(Path.GetTempPath(), $"{Unique.Id("page")}.png");

        try
        {
            var result = await HeadlessBrowser.RunPageAsync(new Uri(address), TimeSpan.FromSeconds(30), screenshot);

            Assert.Equal(3, result.GetProperty("sum").GetInt32());
            Assert.Contains("Chrome", result.GetProperty("ua").GetString(), StringComparison.Ordinal);
            Assert.True(new FileInfo(screenshot).Length > 0, "the screenshot was not written");
        }
        finally
        {
            File.Delete(screenshot);
            await app.StopAsync();
        }
    }
}
