using System.Text.Encodings.Web;
using System.Text.Json;

namespace RealtimeHub.Bench;

/// <summary>How every bench report is written as JSON: indented, web names, readable text.</summary>
internal static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
