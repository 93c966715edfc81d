using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Builds;

/// <summary>Which step's log explains a build.</summary>
internal static class LogStep
{
    /// <summary>
    /// Whether build <paramref name="buildId"/> exists, and the step whose log explains it (see <see cref="FindAsync"/>).
    /// </summary>
    public static async Task<(bool Exists, long? StepId)> ForBuildAsync(HydraDbContext db, long buildId, CancellationToken cancellationToken)
    {
        var build = await db.Builds.AsNoTracking().Where(b => b.Id == buildId)
            .Select(b => new { b.TopStepId, b.BuildStatus }).SingleOrDefaultAsync(cancellationToken);
        return build is null ? (false, null) : (true, await FindAsync(db, buildId, build.TopStepId, build.BuildStatus, cancellationToken));
    }

    /// <summary>
    /// The build's top step; for "dependency failed" the first failed step of its graph instead,
    /// since the top step never ran and its log would be empty.
    /// </summary>
    public static async Task<long?> FindAsync(HydraDbContext db, long buildId, long? topStepId, int? buildStatus, CancellationToken cancellationToken)
    {
        if (buildStatus != BuildStatus.DependencyFailed)
        {
            return topStepId;
        }
        var failed = await db.BuildSteps.AsNoTracking()
            .Where(bs => bs.BuildId == buildId && bs.StepId != topStepId && bs.Step!.State == StepState.Failed)
            .OrderBy(bs => bs.Step!.FinishedAt).Select(bs => (long?)bs.StepId)
            .FirstOrDefaultAsync(cancellationToken);
        return failed ?? topStepId;
    }
}
