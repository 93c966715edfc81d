using Hydra.Core.Data;
using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// Evaluation comparisons shared by everyone viewing the same pair (<see cref="SharedResults"/>), refreshed once
/// older than <see cref="Lifetime"/>. Comparing a nixpkgs-sized evaluation loads two times 100,000 builds;
/// viewers of a fresh evaluation come in crowds (links in chat, forge statuses), and each computing it again is
/// what made Hydra's evaluation pages time out. A build's status on the page may lag by about the lifetime.
/// </summary>
public sealed class EvaluationDiffCache(SharedResults shared)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    public Task<EvaluationDiff> GetAsync(long evaluationId, long? compareTo, CancellationToken cancellationToken) =>
        shared.GetAsync(
            $"hydra:eval-diff:{evaluationId}:{compareTo}", Lifetime,
            (services, ct) => EvaluationComparison.CompareAsync(services.GetRequiredService<HydraDbContext>(), evaluationId, compareTo, ct),
            cancellationToken);
}
