using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// Computes the comparison of each jobset's newest evaluation (against the one before, what <c>/eval/{id}</c> shows
/// by default) as soon as this server sees it, so the crowd that opens a fresh evaluation (links in chat, forge
/// statuses) gets a shared result instead of waiting on its first computation. Looks every
/// <see cref="Interval"/> at evaluations of the last day; each is warmed once per server start.
/// </summary>
public sealed partial class EvaluationDiffWarmer(
    IServiceScopeFactory scopes, EvaluationDiffCache diffs, TimeProvider timeProvider, ILogger<EvaluationDiffWarmer> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Window = TimeSpan.FromDays(1);
    private const int PerRound = 50;

    private readonly HashSet<long> _warmed = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await WarmAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The pages compute what was not warmed; the next round tries again.
                LogWarmFailed(logger, e);
            }
            try
            {
                await Task.Delay(Interval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: the newest evaluation of each jobset, from the last day, not warmed yet.</summary>
    public async Task<int> WarmAsync(CancellationToken cancellationToken)
    {
        List<long> newest;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
            var since = timeProvider.GetUtcNow() - Window;
            newest = await db.Jobsets.AsNoTracking()
                .Select(j => db.Evaluations.Where(e => e.JobsetId == j.Id).OrderByDescending(e => e.Id).Select(e => new { e.Id, e.CreatedAt }).FirstOrDefault())
                .Where(e => e != null && e.CreatedAt >= since)
                .Select(e => e!.Id)
                .ToListAsync(cancellationToken);
        }
        var warmed = 0;
        foreach (var id in newest.Where(id => !_warmed.Contains(id)).Order().Take(PerRound))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HydraDbContext>();
            var (_, compareTo) = await EvaluationComparison.ResolveAsync(db, id, compare: null, cancellationToken);
            await diffs.GetAsync(id, compareTo, cancellationToken);
            _warmed.Add(id);
            warmed++;
        }
        return warmed;
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning, Message = "Warming evaluation comparisons failed")]
    private static partial void LogWarmFailed(ILogger logger, Exception exception);
}
