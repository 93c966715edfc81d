using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Builds;

/// <summary>Which step's log explains a build.</summary>
internal static class LogStep
{
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
