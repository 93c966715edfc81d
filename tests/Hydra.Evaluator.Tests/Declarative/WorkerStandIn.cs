using System.Diagnostics;
using Hydra.Core;
using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Tests.Declarative;

/// <summary>
/// Finishes a build the way the farm does, without a worker process: the derivation is built with
/// real Nix, its output goes into the farm's binary cache with <c>nix copy --to file://...?compression=zstd</c>
/// (the layout and compression a builder's upload produces), and the build and its top step are
/// marked finished as the queue's completion does.
/// </summary>
internal static class WorkerStandIn
{
    /// <summary>Builds the job's derivation, uploads its output and records success; returns the output path.</summary>
    public static async Task<string> SucceedAsync(DeclarativeHarness harness, long buildId)
    {
        var drvPath = await harness.WithDbAsync(db => db.Builds.Where(b => b.Id == buildId).Select(b => b.DrvPath).SingleAsync());
        var outPath = (await RunAsync("nix-store", "--realise", drvPath)).Trim();
        await RunAsync("nix", "copy", "--to", $"file://{harness.CacheDir}?compression=zstd", outPath);
        await FinishAsync(harness, buildId, BuildStatus.Succeeded);
        return outPath;
    }

    /// <summary>Records the build's end with <paramref name="status"/>, as StepTransitions does.</summary>
    public static Task FinishAsync(DeclarativeHarness harness, long buildId, int status) => harness.WithDbAsync(async db =>
    {
        await db.Database.ExecuteSqlAsync(
            $"""
            UPDATE steps SET state = CASE WHEN {status} = 0 THEN 3 ELSE 4 END, status = {status}, finished_at = now()
            WHERE id = (SELECT top_step_id FROM builds WHERE id = {buildId});
            UPDATE builds SET finished = true, build_status = {status}, start_time = now(), stop_time = now() WHERE id = {buildId};
            """);
        return 0;
    });

    private static async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {await errors}");
    }
}
