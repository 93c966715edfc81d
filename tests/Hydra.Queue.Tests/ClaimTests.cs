using System.Collections.Concurrent;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests;

public sealed class ClaimTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private static readonly ClaimRequest X86 = new(["x86_64-linux"], [], 0);

    [Fact]
    public async Task Concurrent_claimers_never_claim_one_step_twice()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        const int steps = 60;
        for (var i = 0; i < steps; i++)
        {
            await queue.AddStepAsync($"many{i}");
        }
        var workers = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            workers.Add(await queue.AddWorkerAsync($"concurrent-{i}"));
        }

        var claimed = new ConcurrentBag<long>();
        await Task.WhenAll(workers.Select(worker => Task.Run(async () =>
        {
            while (await queue.Claimer.TryClaimAsync(worker, "w", X86, CancellationToken.None) is { } claim)
            {
                claimed.Add(claim.StepId);
            }
        })));

        Assert.Equal(steps, claimed.Count);
        Assert.Equal(steps, claimed.Distinct().Count());
        Assert.Equal(steps, await queue.ScalarAsync<long>($"SELECT count(*) FROM step_attempts WHERE worker_id IN ({string.Join(',', workers)})"));
    }

    [Fact]
    public async Task Claim_skips_steps_for_other_systems()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("arm-only");
        var step = await queue.AddStepAsync("arm", "aarch64-linux");

        Assert.Null(await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest(["i686-linux"], [], 0), CancellationToken.None));
        var claim = await queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest(["aarch64-linux"], [], 0), CancellationToken.None);

        Assert.Equal(step, claim?.StepId);
    }

    [Fact]
    public async Task A_claim_writes_no_file_and_the_attempt_header_comes_once_with_the_first_log_batch()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("builder-7");
        await queue.AddStepAsync("logged", "mips-linux");

        var claim = (await queue.Claimer.TryClaimAsync(worker, "builder-7", new ClaimRequest(["mips-linux"], [], 0), CancellationToken.None))!;
        Assert.False(File.Exists(queue.HydraOptions.StepLogPath(claim.StepId)));
        foreach (var batch in new[] { "building\n", "done\n" })
        {
            var attempt = (await queue.Leases.StartLogBatchAsync(claim.AttemptId, worker, CancellationToken.None))!;
            await queue.Logs.AppendAsync(attempt, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(batch)), CancellationToken.None);
        }

        var log = await File.ReadAllTextAsync(queue.HydraOptions.StepLogPath(claim.StepId));
        Assert.StartsWith($"=== attempt 1 of {claim.DrvPath} on builder-7 at ", log, StringComparison.Ordinal);
        Assert.EndsWith(" ===\nbuilding\ndone\n", log, StringComparison.Ordinal);
        Assert.Null(await queue.Leases.StartLogBatchAsync(claim.AttemptId, worker + 1000, CancellationToken.None));
    }
}
