using RealtimeHub.Contracts.Events;

namespace RealtimeHub.Server.Demo;

/// <summary>
/// An OMR batch, in the pipeline's own stages: <c>batch.progress</c> events through <c>uploading</c>, <c>extracting</c>,
/// <c>organizing_qr</c>, <c>processing_sheets</c>, <c>collecting_results</c>, <c>generating_csv</c>,
/// <c>loading_database</c>, <c>cleanup</c> and <c>completed</c>, with the stage's own percentage and
/// the sheet counts; a failing batch ends with stage <c>failed</c>.
/// </summary>
internal sealed class OmrBatchJob(string batchId, bool fails)
    : DemoJob(Contracts.Topics.Topic.Batch(batchId).ToString(), fails)
{
    private static readonly string[] FailingStages = ["extracting", "processing_sheets", "processing_sheets", "loading_database"];

    public override async Task RunAsync(DemoScript script, CancellationToken cancellationToken)
    {
        var random = DemoScript.Random;
        var sheets = random.Next(120, 420);
        var answers = sheets * 40;
        var chunks = random.Next(3, 6);
        var failingStage = Fails ? FailingStages[random.Next(FailingStages.Length)] : null;
        var stageStart = script.Now;
        long? total = null, processed = null;

        async Task Report(string stage, double percent, string message, double pause = 0.9)
        {
            await script.PauseAsync(pause, cancellationToken);
            await script.EmitAsync(Topic, EventTypes.BatchProgress, new
            {
                stage,
                message,
                progress_percentage = Math.Round(percent, 1),
                sheets_total = total,
                sheets_processed = processed,
                elapsed_seconds = script.ElapsedSince(stageStart),
                timestamp = script.NowText,
            }, cancellationToken);
        }

        async Task<bool> Fail(string stage, double percent, string message)
        {
            if (failingStage != stage)
            {
                return false;
            }

            await Report("failed", percent, message);
            return true;
        }

        for (var chunk = 1; chunk <= chunks; chunk++)
        {
            await Report("uploading", 100.0 * chunk / chunks, $"Uploading chunk {chunk}/{chunks}", 0.7);
        }

        stageStart = script.Now;
        await Report("extracting", 0, "Starting extraction");
        if (await Fail("extracting", 0, "Extraction failed: the ZIP archive is corrupt (unexpected end of data)"))
        {
            return;
        }

        total = sheets;
        await Report("extracting", 100, $"Extraction complete - {sheets} sheets");
        stageStart = script.Now;
        await Report("organizing_qr", 100, $"Organized {sheets} sheets by QR code", 0.6);

        stageStart = script.Now;
        processed = 0;
        await Report("processing_sheets", 0, $"Dispatching {sheets} tasks to workers");
        var failAfter = sheets * random.Next(30, 70) / 100;
        while (processed < sheets)
        {
            processed = Math.Min(sheets, processed.Value + random.Next(sheets / 9, sheets / 6));
            if (processed >= failAfter && await Fail("processing_sheets", 100.0 * processed.Value / sheets, $"Worker pool unavailable: {sheets - processed} sheets could not be read"))
            {
                return;
            }

            await Report("processing_sheets", 100.0 * processed.Value / sheets, $"Processing: {processed}/{sheets} sheets completed", 1.2);
        }

        await Report("processing_sheets", 100, $"All {sheets} tasks completed (0 failed)", 0.4);
        stageStart = script.Now;
        await Report("collecting_results", 100, $"Collected {sheets} results", 0.7);
        stageStart = script.Now;
        await Report("generating_csv", 100, $"CSV generation complete: {sheets} sheets, {answers} answers", 0.7);
        stageStart = script.Now;
        await Report("loading_database", 0, "Loading data to MySQL", 0.5);
        if (await Fail("loading_database", 0, "Database load failed: deadlock detected, the batch was rolled back"))
        {
            return;
        }

        await Report("loading_database", 100, $"Database load complete: {sheets} sheets, {answers} answers in {random.Next(600, 2400)}ms", 0.8);
        stageStart = script.Now;
        await Report("cleanup", 0, "Cleaning up batch files", 0.5);
        await Report("completed", 100, "Batch completed successfully", 0.5);
    }
}
