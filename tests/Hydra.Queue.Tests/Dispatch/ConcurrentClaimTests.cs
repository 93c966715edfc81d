using System.Collections.Concurrent;
using Hydra.Core.Protocol;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Dispatch;

public sealed class ConcurrentClaimTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Parallel_claimers_on_several_systems_claim_and_complete_every_step_exactly_once()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        string[] systems = [DispatchSeed.UniqueSystem(), DispatchSeed.UniqueSystem()];
        var steps = new List<long>();
        for (var i = 0; i < 150; i++)
        {
            // Chains of three: each link becomes runnable only when another claimer completed the previous one.
            var system = systems[i % 2];
            var first = await queue.AddRunnableAsync(system, $"critical_path = 3, local_priority = {i % 5}");
            var second = await queue.AddStepAsync("second", system, first);
            var third = await queue.AddStepAsync("third", systems[(i + 1) % 2], second);
            steps.AddRange([first, second, third]);
        }
        var request = new ClaimRequest(systems, [], 0, MaxJobs: 2);
        var claimed = new ConcurrentBag<long>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var worker = await queue.AddWorkerAsync($"parallel-{i}");
            while (true)
            {
                if (await queue.ClaimAsync(worker, request) is { } claim)
                {
                    claimed.Add(claim.StepId);
                    await queue.Results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);
                }
                else if (await queue.ScalarAsync<long>($"SELECT count(*) FROM steps WHERE state < 3 AND id = ANY('{{{string.Join(',', steps)}}}')") == 0)
                {
                    return;
                }
                else
                {
                    await Task.Delay(5);
                }
            }
        })));

        Assert.Equal(steps.Order(), claimed.Order());
        Assert.Equal(steps.Count, await queue.ScalarAsync<long>($"SELECT count(*) FROM step_attempts WHERE step_id = ANY('{{{string.Join(',', steps)}}}')"));
        Assert.Equal(steps.Count, await queue.ScalarAsync<long>($"SELECT count(*) FROM steps WHERE state = 3 AND id = ANY('{{{string.Join(',', steps)}}}')"));
    }
}
