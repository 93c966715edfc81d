using Hydra.Queue.Batching;

namespace Hydra.Queue.Tests.Batching;

public sealed class GroupCommitTests
{
    [Fact]
    public async Task Calls_arriving_while_a_batch_runs_share_the_next_one_and_each_gets_its_own_result()
    {
        var firstStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new List<int[]>();
        var group = new GroupCommit<int, string>(async items =>
        {
            lock (batches)
            {
                batches.Add([.. items]);
            }
            if (items.Contains(0))
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
            return [.. items.Select(i => $"r{i}")];
        }, maxBatch: 3, maxInFlight: 1);

        var first = group.RunAsync(0);
        await firstStarted.Task;
        var waiting = Enumerable.Range(1, 5).Select(group.RunAsync).ToArray();
        releaseFirst.SetResult();

        Assert.Equal("r0", await first);
        Assert.Equal(["r1", "r2", "r3", "r4", "r5"], await Task.WhenAll(waiting));
        Assert.Equal([[0], [1, 2, 3], [4, 5]], batches);
    }

    [Fact]
    public async Task A_failing_batch_fails_its_callers_and_the_next_batch_still_runs()
    {
        var group = new GroupCommit<int, int>(items =>
            items.Contains(-1) ? throw new InvalidOperationException("broken batch") : Task.FromResult(items.ToArray()), maxBatch: 1, maxInFlight: 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => group.RunAsync(-1));
        Assert.Equal(7, await group.RunAsync(7));
    }
}
