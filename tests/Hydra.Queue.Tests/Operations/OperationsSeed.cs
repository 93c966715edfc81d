using Hydra.Core.Protocol;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Operations;
using Hydra.Queue.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Tests.Operations;

/// <summary>The operations and worker-health services over a <see cref="QueueHarness"/>, and rows they need.</summary>
internal static class OperationsSeed
{
    public static BuildOperations Operations(this QueueHarness queue) =>
        new(queue.DataSource, new BuildBumps(queue.DataSource, queue.Clock), queue.Clock, NullLogger<BuildOperations>.Instance);

    public static BuildRestarts Restarts(this QueueHarness queue) => new(queue.DataSource, queue.Clock, NullLogger<BuildRestarts>.Instance);

    public static WorkerHealth Health(this QueueHarness queue) =>
        new(queue.DataSource, Options.Create(queue.QueueOptions), queue.Tokens, queue.Clock, NullLogger<WorkerHealth>.Instance);

    public static WorkerRelease Release(this QueueHarness queue) =>
        new(queue.DataSource, Options.Create(queue.QueueOptions), queue.Clock, NullLogger<WorkerRelease>.Instance);

    /// <summary>Claims the next step the worker can build and reports <paramref name="outcome"/> for it, as the finish endpoint does.</summary>
    public static async Task<ClaimResponse> ClaimAndFinishAsync(this QueueHarness queue, long worker, ClaimRequest request, StepOutcome outcome)
    {
        var claim = await queue.Claimer.TryClaimAsync(worker, $"worker-{worker}", request, CancellationToken.None)
            ?? throw new InvalidOperationException("Nothing to claim.");
        await queue.FinishAsync(worker, claim, outcome);
        return claim;
    }

    /// <summary>Reports <paramref name="outcome"/> for a claim and counts it for the worker's health, as the finish endpoint does.</summary>
    public static async Task FinishAsync(this QueueHarness queue, long worker, ClaimResponse claim, StepOutcome outcome)
    {
        var report = new FinishRequest(outcome, outcome == StepOutcome.Succeeded ? 0 : 1, outcome == StepOutcome.Succeeded ? null : "broken", []);
        await queue.Results.FinishAsync(claim.AttemptId, worker, report, CancellationToken.None);
        await queue.Health().RecordAsync(claim.AttemptId, worker, CancellationToken.None);
    }

    /// <summary>An evaluation of the harness's jobset holding <paramref name="builds"/>.</summary>
    public static Task<long> AddEvaluationAsync(this QueueHarness queue, params long[] builds) =>
        queue.ScalarAsync<long>(
            $$"""
             WITH e AS (INSERT INTO evaluations (jobset_id, created_at, inputs_hash)
                        SELECT id, now(), 'h' FROM jobsets WHERE name = 'j' RETURNING id),
                  m AS (INSERT INTO evaluation_members (evaluation_id, build_id, is_new)
                        SELECT e.id, b, true FROM e, unnest(ARRAY[{{string.Join(',', builds)}}]::bigint[]) b)
             SELECT id FROM e
             """);

    public static Task<short> StepStateAsync(this QueueHarness queue, long step) => queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {step}");

    public static async Task<(bool Finished, int? Status)> BuildStateAsync(this QueueHarness queue, long build)
    {
        var row = (await queue.RowsAsync($"SELECT finished, build_status FROM builds WHERE id = {build}")).Single();
        return ((bool)row[0], row[1] is DBNull ? null : (int)row[1]);
    }
}
