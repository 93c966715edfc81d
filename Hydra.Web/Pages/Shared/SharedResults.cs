using Microsoft.Extensions.Caching.Memory;

namespace Hydra.Web.Pages.Shared;

/// <summary>
/// Results of expensive page queries (whole-queue counts, a big evaluation's comparison) shared by every viewer.
/// <list type="bullet">
/// <item>One computation per key at a time: viewers arriving while it runs wait for that one (no stampede of
/// identical queries when a farm's dashboard is open in many browsers).</item>
/// <item>Once a result is older than its lifetime, the next viewer starts a refresh and everyone keeps getting
/// the previous result until the refresh is done (stale while revalidating), so only the very first viewer of
/// a key waits.</item>
/// <item>A computation runs in a DI scope of its own and is not cancelled with the request that started it, since
/// others may be waiting for it. A failure is not kept: the next viewer tries again.</item>
/// <item>Keys not asked for during <see cref="Idle"/> are dropped.</item>
/// </list>
/// </summary>
public sealed class SharedResults(IMemoryCache cache, IServiceScopeFactory scopes, TimeProvider timeProvider)
{
    public static readonly TimeSpan Idle = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();

    public Task<T> GetAsync<T>(
        string key, TimeSpan lifetime, Func<IServiceProvider, CancellationToken, Task<T>> compute, CancellationToken cancellationToken)
    {
        Slot<T> slot;
        lock (_gate)
        {
            if (!cache.TryGetValue(key, out Slot<T>? existing) || existing is null)
            {
                existing = new Slot<T>();
                cache.Set(key, existing, new MemoryCacheEntryOptions { SlidingExpiration = Idle });
            }
            slot = existing;
            var now = timeProvider.GetUtcNow();
            if (slot.Current is null || slot.Current.IsFaulted || slot.Current.IsCanceled)
            {
                slot.Current = RunAsync(slot, compute, now, replaceWhenDone: false);
            }
            else if (slot.Current.IsCompletedSuccessfully && now - slot.ComputedAt >= lifetime && slot.Refreshing is null)
            {
                slot.Refreshing = RunAsync(slot, compute, now, replaceWhenDone: true);
            }
        }
        return slot.Current.WaitAsync(cancellationToken);
    }

    private async Task<T> RunAsync<T>(Slot<T> slot, Func<IServiceProvider, CancellationToken, Task<T>> compute, DateTimeOffset startedAt, bool replaceWhenDone)
    {
        // Off the caller's stack: the caller holds the gate.
        await Task.Yield();
        try
        {
            T result;
            await using (var scope = scopes.CreateAsyncScope())
            {
                result = await compute(scope.ServiceProvider, CancellationToken.None);
            }
            lock (_gate)
            {
                slot.ComputedAt = startedAt;
                if (replaceWhenDone)
                {
                    slot.Current = Task.FromResult(result);
                    slot.Refreshing = null;
                }
            }
            return result;
        }
        catch when (replaceWhenDone)
        {
            // The previous result stays; the next viewer after the lifetime tries again. Nobody awaits a refresh.
            lock (_gate)
            {
                slot.Refreshing = null;
            }
            return default!;
        }
    }

    private sealed class Slot<T>
    {
        public Task<T>? Current { get; set; }

        public Task<T>? Refreshing { get; set; }

        public DateTimeOffset ComputedAt { get; set; }
    }
}
