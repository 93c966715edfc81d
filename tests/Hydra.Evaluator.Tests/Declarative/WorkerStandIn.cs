using Hydra.Core;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Tests.Declarative;

/// <summary>
/// Finishes a build the way the farm does, without a worker process: the derivation is fetched from the
/// farm's cache and built with
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
        // As a worker does: the derivation comes from the farm's cache (the evaluator wrote it there; its own
        // copy may be in an evaluation worker's store), then it is built here.
        await TestProcess.RunCheckedAsync("nix", "copy", "--derivation", "--no-check-sigs", "--from", $"file://{harness.CacheDir}", drvPath);
        var outPath = await TestProcess.RunCheckedAsync("nix-store", "--realise", drvPath);
        await TestProcess.RunCheckedAsync("nix", "copy", "--to", $"file://{harness.CacheDir}?compression=zstd", outPath);
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
}
