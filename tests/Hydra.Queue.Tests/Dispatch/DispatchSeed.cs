using Hydra.Core.Protocol;
using Hydra.Queue.Dispatch;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>Rows and services the dispatch tests need on top of <see cref="QueueHarness"/>.</summary>
internal static class DispatchSeed
{
    /// <summary>A system no other test uses, so tests sharing a class database never see each other's steps.</summary>
    public static string UniqueSystem() => $"test-{Guid.NewGuid():N}-linux";

    public static FairShares Shares(this QueueHarness queue) => new(queue.DataSource, Options.Create(queue.QueueOptions), queue.Clock);

    public static BuildBumps Bumps(this QueueHarness queue) => new(queue.DataSource, queue.Clock);

    public static ClaimDispatcher Dispatcher(this QueueHarness queue) =>
        new(queue.Claimer, new QueueSignal(), queue.DataSource, Options.Create(queue.QueueOptions), queue.Clock, NullLogger<ClaimDispatcher>.Instance);

    public static Task<ClaimResponse?> ClaimAsync(this QueueHarness queue, long worker, ClaimRequest request) =>
        queue.Claimer.TryClaimAsync(worker, $"worker-{worker}", request, CancellationToken.None);

    /// <summary>Claims once per expected step and checks each claim got the next one, in order.</summary>
    public static async Task AssertClaimsInOrderAsync(this QueueHarness queue, long worker, ClaimRequest request, params long[] expected)
    {
        var claimed = new List<long?>();
        foreach (var _ in expected)
        {
            claimed.Add((await queue.ClaimAsync(worker, request))?.StepId);
        }
        Assert.Equal(expected.Cast<long?>(), claimed);
    }

    /// <summary>A runnable step with the given dispatch columns (as ingestion, a bump or the share refresh would set them).</summary>
    public static async Task<long> AddRunnableAsync(this QueueHarness queue, string system, string columns = "")
    {
        var step = await queue.AddStepAsync("step", system);
        if (columns.Length > 0)
        {
            await queue.ExecuteAsync($"UPDATE steps SET {columns} WHERE id = {step}");
        }
        return step;
    }

    public static async Task<long> AddJobsetAsync(this QueueHarness queue, int shares = 100)
    {
        var name = $"j{Guid.NewGuid():N}";
        return await queue.ScalarAsync<long>(
            $"""
             WITH p AS (INSERT INTO projects (name, display_name, owner, created_at) VALUES ('{name}', 'P', 'admin', now()) RETURNING id)
             INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, scheduling_shares, created_at)
             SELECT id, 'main', 'src', 'default.nix', {shares}, now() FROM p RETURNING id
             """);
    }

    /// <summary>Records that <paramref name="jobset"/> needs <paramref name="step"/>, as ingestion does.</summary>
    public static Task LinkAsync(this QueueHarness queue, long step, long jobset) =>
        queue.ExecuteAsync($"INSERT INTO step_jobsets (step_id, jobset_id) VALUES ({step}, {jobset})");

    /// <summary>Charges <paramref name="used"/> of step time, ending now, to <paramref name="jobset"/>: a finished step of it with one attempt.</summary>
    public static async Task ChargeAsync(this QueueHarness queue, long jobset, TimeSpan used)
    {
        var worker = await queue.AddWorkerAsync($"history-{Guid.NewGuid():N}");
        var step = await queue.AddStepAsync("history", UniqueSystem());
        var now = queue.Clock.GetUtcNow();
        await queue.ExecuteAsync(
            $"""
             UPDATE steps SET state = 3, status = 0, finished_at = '{now:O}' WHERE id = {step};
             INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at, finished_at)
             VALUES ({step}, {worker}, 1, '{now:O}', '{now - used:O}', '{now:O}');
             """);
        await queue.LinkAsync(step, jobset);
    }

    /// <summary>A worker that last called at the harness clock's now, with the given capabilities.</summary>
    public static async Task<long> AddSeenWorkerAsync(this QueueHarness queue, string[] systems, string[]? features = null, string[]? mandatory = null)
    {
        var worker = await queue.AddWorkerAsync($"seen-{Guid.NewGuid():N}");
        await queue.ExecuteAsync(
            $"""
             UPDATE workers SET last_seen_at = '{queue.Clock.GetUtcNow():O}', systems = '{Array(systems)}',
                                features = '{Array(features ?? [])}', mandatory_features = '{Array(mandatory ?? [])}'
             WHERE id = {worker}
             """);
        return worker;
    }

    public static Task<T> StepColumnAsync<T>(this QueueHarness queue, long step, string column) =>
        queue.ScalarAsync<T>($"SELECT {column} FROM steps WHERE id = {step}");

    public static Task<T> BuildColumnAsync<T>(this QueueHarness queue, long build, string column) =>
        queue.ScalarAsync<T>($"SELECT {column} FROM builds WHERE id = {build}");

    private static string Array(string[] values) => "{" + string.Join(',', values) + "}";
}
