using Microsoft.Extensions.Logging.Console;

namespace RealtimeHub.Server.Hosting;

/// <summary>
/// Outside Development the console logs one JSON object a line (ASP.NET Core's <c>json</c> formatter:
/// timestamp, <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>, <c>State</c>), so a log
/// collector reads them without parsing text. The standard settings still win:
/// <c>Logging__Console__FormatterName=simple</c> brings back the text lines, and
/// <c>Logging__Console__FormatterOptions__...</c> tunes the JSON.
/// </summary>
internal static class ConsoleLogging
{
    private const string FormatterSetting = "Logging:Console:FormatterName";
    private const string TimestampSetting = "Logging:Console:FormatterOptions:TimestampFormat";
    private const string UtcSetting = "Logging:Console:FormatterOptions:UseUtcTimestamp";

    public static WebApplicationBuilder UseJsonConsoleOutsideDevelopment(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (builder.Environment.IsDevelopment() || !string.IsNullOrEmpty(configuration[FormatterSetting]))
        {
            return builder;
        }

        builder.Services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = ConsoleFormatterNames.Json);
        // Configured after the settings are bound, so each default applies only where no setting is given.
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            if (string.IsNullOrEmpty(configuration[TimestampSetting]))
            {
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            }

            if (string.IsNullOrEmpty(configuration[UtcSetting]))
            {
                options.UseUtcTimestamp = true;
            }
        });

        return builder;
    }
}
