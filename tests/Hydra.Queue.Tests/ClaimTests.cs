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
    public async Task Claim_writes_an_attempt_header_to_the_step_log()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("header");
        await queue.AddStepAsync("logged", "mips-linux");

        var claim = await queue.Claimer.TryClaimAsync(worker, "builder-7", new ClaimRequest(["mips-linux"], [], 0), CancellationToken.None);

        var log = await File.ReadAllTextAsync(queue.HydraOptions.StepLogPath(claim!.StepId));
        Assert.Contains("attempt 1", log);
        Assert.Contains("builder-7", log);
    }
}
