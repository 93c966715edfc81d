using Hydra.Core.Data;
using Hydra.Queue.Logs;
using Hydra.Web.Api.Builds;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Builds;

/// <summary>Loads <see cref="BuildPageModel"/>, including the last lines of the explaining step's log.</summary>
internal static class BuildPageQuery
{
    public static async Task<BuildPageModel?> LoadAsync(HydraDbContext db, StepLogStore logs, long id, CancellationToken cancellationToken)
    {
        var row = await db.Builds.AsNoTracking().Where(b => b.Id == id)
            .Select(b => new
            {
                Build = b,
                Project = b.Jobset!.Project!.Name,
                Owner = b.Jobset.Project.Owner,
                Jobset = b.Jobset.Name,
                Outputs = b.Outputs.OrderBy(o => o.Name).Select(o => new BuildPageModel.OutputRow(o.Name, o.Path)).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }
        var b = row.Build;
        var evals = await db.EvaluationMembers.AsNoTracking().Where(m => m.BuildId == id)
            .OrderBy(m => m.EvaluationId).Select(m => m.EvaluationId).ToListAsync(cancellationToken);
        var steps = await (
            from bs in db.BuildSteps
            where bs.BuildId == id
            join s in db.Steps on bs.StepId equals s.Id
            orderby s.Id == b.TopStepId, s.Id
            select new BuildPageModel.StepRow(
                s.Id, s.DrvPath, s.System, s.State, s.Status, s.Tries,
                db.StepAttempts.Where(a => a.StepId == s.Id).OrderByDescending(a => a.Id).Select(a => a.Worker!.Name).FirstOrDefault(),
                s.StartedAt, s.FinishedAt))
            .AsNoTracking().ToListAsync(cancellationToken);

        var logStepId = await LogStep.FindAsync(db, id, b.TopStepId, b.Finished ? b.BuildStatus : null, cancellationToken);
        var logTail = logStepId is { } stepId
            ? await logs.ReadTailAsync(stepId, BuildPageModel.LogTailLines, cancellationToken)
            : null;
        var products = await db.BuildProducts.AsNoTracking().Where(p => p.BuildId == id).OrderBy(p => p.ProductNr)
            .Select(p => new BuildPageModel.ProductRow(p.ProductNr, p.Type, p.Subtype, p.Name, p.Path, p.FileSize, p.Sha256hash))
            .ToListAsync(cancellationToken);
        var metrics = await db.BuildMetrics.AsNoTracking().Where(m => m.BuildId == id).OrderBy(m => m.Name)
            .Select(m => new BuildPageModel.MetricRow(m.Name, m.Value, m.Unit))
            .ToListAsync(cancellationToken);

        return new BuildPageModel(
            b.Id, row.Project, row.Owner, row.Jobset, b.Job, b.NixName, b.Description, b.System, b.DrvPath, b.Finished,
            b.Finished ? b.BuildStatus : null, b.IsCachedBuild, b.Priority, b.QueuedAt, b.StartTime, b.StopTime,
            row.Outputs, evals, steps, logStepId, logTail, b.ReleaseName, products, metrics, b.Keep);
    }
}
