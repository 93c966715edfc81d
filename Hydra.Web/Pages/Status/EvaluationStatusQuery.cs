using Hydra.Core.Data;
using Hydra.Evaluator.Jobsets;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Status;

/// <summary>Loads <see cref="EvaluationStatusModel"/> from the jobsets' claim, phase and trigger columns.</summary>
internal static class EvaluationStatusQuery
{
    public static async Task<EvaluationStatusModel> LoadAsync(HydraDbContext db, CancellationToken cancellationToken)
    {
        var running = await db.Jobsets.AsNoTracking().Where(j => j.EvalStartedAt != null)
            .OrderBy(j => j.EvalStartedAt).ThenBy(j => j.Id)
            .Select(j => new EvaluationStatusModel.RunningRow(
                j.Project!.Name, j.Name, j.EvalPhase ?? EvaluationPhase.Starting, j.EvalPhaseSince, j.EvalStartedAt!.Value))
            .ToListAsync(cancellationToken);
        // Waiting: triggered, evaluable (disabled jobsets ignore triggers), and not already being
        // evaluated for this trigger (a trigger newer than the running evaluation means another run).
        var queued = await db.Jobsets.AsNoTracking()
            .Where(j => j.TriggerTime != null && j.Enabled != 0 && j.Project!.Enabled
                        && (j.EvalStartedAt == null || j.TriggerTime > j.EvalStartedAt))
            .OrderBy(j => j.TriggerTime).ThenBy(j => j.Id)
            .Select(j => new EvaluationStatusModel.QueuedRow(j.Project!.Name, j.Name, j.TriggerTime!.Value, j.ForceEval))
            .ToListAsync(cancellationToken);
        return new EvaluationStatusModel(running, queued);
    }
}
