using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RealtimeHub.Tests.Infrastructure;

/// <summary>
/// Runs a page in real headless Chromium (Debian's <c>/usr/bin/chromium</c> through the node harness
/// in <c>Hub.Tests/Browser</c>, whose packages the test command installs) and returns what the page
/// put in <c>window.__result</c> once it set <c>window.__done = true</c>.
/// </summary>
public static class HeadlessBrowser
{
    // Chromium's start-up is not part of the page's timeout; this bounds a harness that hangs.
    private static readonly TimeSpan LaunchAllowance = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> HarnessDirectory = new(FindHarnessDirectory);

    /// <summary>Opens <paramref name="page"/>, waits for it, and fails the test if the harness fails.</summary>
    public static async Task<JsonElement> RunPageAsync(Uri page, TimeSpan timeout, string? screenshotPath = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = HarnessDirectory.Value,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("run-page.mjs");
        start.ArgumentList.Add(page.AbsoluteUri);
        start.ArgumentList.Add(((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        if (screenshotPath is not null)
        {
            start.ArgumentList.Add(Path.GetFullPath(screenshotPath));
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var hung = new CancellationTokenSource(timeout + LaunchAllowance))
        {
            try
            {
                await process.WaitForExitAsync(hung.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }

        var output = await stdout;
        var errors = await stderr;
        if (process.ExitCode != 0)
        {
            Assert.Fail($"run-page.mjs exited with {process.ExitCode} for {page}.\nstderr:\n{errors}\nstdout:\n{output}");
        }

        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (line is null)
        {
            Assert.Fail($"run-page.mjs printed no result for {page}.\nstderr:\n{errors}");
        }

        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    private static string FindHarnessDirectory()
    {
        var harness = Path.Combine(RepositoryRoot.Path, "Hub.Tests", "Browser");
        if (!Directory.Exists(Path.Combine(harness, "node_modules", "playwright-core")))
        {
            throw new InvalidOperationException($"{harness} has no node_modules: run `bash test.sh`, which installs them.");
        }

        return harness;
    }
}
