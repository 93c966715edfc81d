using Hydra.Core.Data;
using Hydra.Queue.Logs;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Logs;

/// <summary>Loads <see cref="LogPageModel"/>: the step's row and its log, rendered line by line.</summary>
internal static class LogPageQuery
{
    /// <summary>Null when the build does not exist or the step is not one of its steps.</summary>
    public static async Task<LogPageModel?> LoadAsync(
        HydraDbContext db, StepLogStore logs, long buildId, long stepId, CancellationToken cancellationToken)
    {
        var row = await (
            from bs in db.BuildSteps
            where bs.BuildId == buildId && bs.StepId == stepId
            join b in db.Builds on bs.BuildId equals b.Id
            select new
            {
                Project = b.Jobset!.Project!.Name,
                Jobset = b.Jobset.Name,
                b.Job,
                bs.Step!.DrvPath,
                bs.Step.State,
                bs.Step.Status,
                Machine = db.StepAttempts.Where(a => a.StepId == stepId).OrderByDescending(a => a.Id).Select(a => a.Worker!.Name).FirstOrDefault(),
            }).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var shown = new Queue<LogPageModel.Line>();
        var total = 0;
        int? firstError = null;
        long endOffset = 0;
        await using (var stream = logs.OpenRead(stepId))
        {
            if (stream is not null)
            {
                var renderer = new AnsiRenderer();
                await foreach (var line in LogLines.ReadAsync(stream, 0, includePartial: !LogPageModel.IsLive(row.State), cancellationToken))
                {
                    total++;
                    var (segments, isError) = LogLines.Render(renderer, line.Text);
                    if (isError)
                    {
                        firstError ??= total;
                    }
                    shown.Enqueue(new LogPageModel.Line(total, segments, isError));
                    if (shown.Count > LogPageModel.MaxLines)
                    {
                        shown.Dequeue();
                    }
                    endOffset = line.EndOffset;
                }
            }
        }

        return new LogPageModel(
            buildId, row.Project, row.Jobset, row.Job, stepId, row.DrvPath, row.State, row.Status, row.Machine,
            [.. shown], total, firstError, endOffset);
    }
}
