using Hydra.Core.Data;
using Microsoft.Extensions.Caching.Memory;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// Evaluation comparisons shared for <see cref="Lifetime"/> by everyone viewing the same pair. Comparing a
/// nixpkgs-sized evaluation loads two times 100,000 builds; viewers of a fresh evaluation come in crowds (links in
/// chat, forge statuses), and each computing it again is what made Hydra's evaluation pages time out. A build's
/// status may lag by at most the lifetime. The comparison runs in its own scope and is not cancelled when the
/// request that started it goes away, because others may be waiting for it.
/// </summary>
public sealed class EvaluationDiffCache(IMemoryCache cache, IServiceScopeFactory scopes)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    public Task<EvaluationDiff> GetAsync(long evaluationId, long? compareTo, CancellationToken cancellationToken)
    {
        var key = $"hydra:eval-diff:{evaluationId}:{compareTo}";
        var shared = cache.GetOrCreate(key, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Lifetime;
            return new Lazy<Task<EvaluationDiff>>(() => ComputeAsync(key, evaluationId, compareTo));
        })!;
        return shared.Value.WaitAsync(cancellationToken);
    }

    private async Task<EvaluationDiff> ComputeAsync(string key, long evaluationId, long? compareTo)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
            return await EvaluationComparison.CompareAsync(db, evaluationId, compareTo, CancellationToken.None);
        }
        catch
        {
            // A failure is not shared: the next viewer tries again.
            cache.Remove(key);
            throw;
        }
    }
}
