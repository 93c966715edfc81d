using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Status;

/// <summary>A step a worker is building now, with one build that needs it.</summary>
public sealed record CurrentStep(string Worker, long StepId, string DrvPath, DateTimeOffset StartedAt, long? BuildId);

/// <summary>What each worker is building now: its attempts under a live lease.</summary>
internal static class MachineStepsQuery
{
    public static async Task<ILookup<string, CurrentStep>> LoadAsync(HydraDbContext db, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        // Through step_attempts_running (lease_expires_at) WHERE state = 0: the running attempts only.
        var rows = await (
            from a in db.StepAttempts
            where a.State == Core.Data.Entities.AttemptState.Running && a.LeaseExpiresAt > now
            join s in db.Steps on a.StepId equals s.Id
            orderby a.StartedAt
            select new CurrentStep(
                a.Worker!.Name, s.Id, s.DrvPath, a.StartedAt,
                db.BuildSteps.Where(bs => bs.StepId == s.Id).OrderBy(bs => bs.BuildId).Select(bs => (long?)bs.BuildId).FirstOrDefault()))
            .AsNoTracking().ToListAsync(cancellationToken);
        return rows.ToLookup(r => r.Worker, StringComparer.Ordinal);
    }
}
