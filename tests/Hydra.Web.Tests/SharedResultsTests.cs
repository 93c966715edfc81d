using Hydra.Testing;
using Hydra.Web.Pages.Shared;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests;

public sealed class SharedResultsTests
{
    private static (SharedResults Shared, ManualClock Clock) Create()
    {
        var services = new ServiceCollection().BuildServiceProvider();
        var clock = new ManualClock(DateTimeOffset.Parse("2026-11-21T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        return (new SharedResults(new MemoryCache(new MemoryCacheOptions()), services.GetRequiredService<IServiceScopeFactory>(), clock), clock);
    }

    [Fact]
    public async Task Viewers_arriving_together_share_one_computation()
    {
        var (shared, _) = Create();
        var runs = 0;
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> Compute(IServiceProvider _, CancellationToken __)
        {
            Interlocked.Increment(ref runs);
            return gate.Task;
        }

        var waiting = Enumerable.Range(0, 16).Select(_ => shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None)).ToList();
        gate.SetResult(42);

        Assert.All(await Task.WhenAll(waiting), v => Assert.Equal(42, v));
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task An_old_result_is_served_while_one_refresh_runs()
    {
        var (shared, clock) = Create();
        var value = 1;
        var refresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        async Task<int> Compute(IServiceProvider _, CancellationToken __)
        {
            if (Interlocked.Increment(ref runs) > 1)
            {
                await refresh.Task;
            }
            return value;
        }
        Assert.Equal(1, await shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None));

        value = 2;
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, await shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None));
        Assert.Equal(1, runs);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None));
        Assert.Equal(1, await shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None));
        refresh.SetResult();
        for (var i = 0; i < 200 && await shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None) != 2; i++)
        {
            await Task.Delay(10);
        }
        Assert.Equal(2, await shared.GetAsync("k", TimeSpan.FromSeconds(5), Compute, CancellationToken.None));
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task A_failure_is_not_kept_and_a_waiter_may_give_up_without_cancelling_it()
    {
        var (shared, _) = Create();
        var runs = 0;
        Task<int> Failing(IServiceProvider _, CancellationToken __)
        {
            Interlocked.Increment(ref runs);
            throw new InvalidOperationException("database down");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => shared.GetAsync("k", TimeSpan.FromSeconds(5), Failing, CancellationToken.None));
        Assert.Equal(7, await shared.GetAsync("k", TimeSpan.FromSeconds(5), (_, _) => Task.FromResult(7), CancellationToken.None));

        var slow = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();
        var first = shared.GetAsync("slow", TimeSpan.FromSeconds(5), (_, _) => slow.Task, impatient.Token);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        var second = shared.GetAsync("slow", TimeSpan.FromSeconds(5), (_, _) => Task.FromResult(-1), CancellationToken.None);
        slow.SetResult(9);
        Assert.Equal(9, await second);
        Assert.Equal(1, runs);
    }
}
