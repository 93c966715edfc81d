using System.Text.Json;
using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Core.Notifications;
using Hydra.Queue.Logs;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Pages.Builds;

/// <summary>
/// Loads <see cref="BuildPageModel"/>, including the last lines of the explaining step's log. Everything the page shows
/// from the database comes back as one JSON document from one statement: the build with its project and jobset, outputs,
/// evaluations, steps (with the latest attempt's worker), products, metrics, RunCommand runs and which step's log explains it. It was
/// five round trips (six for a build whose dependency failed), and under load each waits for a connection and a turn.
/// </summary>
internal static class BuildPageQuery
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static async Task<BuildPageModel?> LoadAsync(HydraDbContext db, StepLogStore logs, long id, CancellationToken cancellationToken)
    {
        // The log step: the top step, except for "dependency failed", where the top step never ran and the first
        // failed step of the graph explains the build (LogStep.FindAsync's rule, in SQL).
        var json = await db.Database.SqlQuery<string>($"""
            SELECT json_build_object(
                'id', b.id, 'project', p.name, 'owner', p.owner, 'jobset', j.name, 'job', b.job, 'nixName', b.nix_name,
                'description', b.description, 'system', b.system, 'drvPath', b.drv_path, 'finished', b.finished,
                'buildStatus', b.build_status, 'isCachedBuild', b.is_cached_build, 'priority', b.priority, 'queuedAt', b.queued_at,
                'startTime', b.start_time, 'stopTime', b.stop_time, 'releaseName', b.release_name, 'keep', b.keep,
                'outputs', (SELECT coalesce(json_agg(json_build_object('name', o.name, 'path', o.path) ORDER BY o.name), '[]')
                            FROM build_outputs o WHERE o.build_id = b.id),
                'evals', ARRAY(SELECT m.evaluation_id FROM evaluation_members m WHERE m.build_id = b.id ORDER BY m.evaluation_id),
                'steps', (SELECT coalesce(json_agg(json_build_object(
                                'id', s.id, 'drvPath', s.drv_path, 'system', s.system, 'state', s.state, 'status', s.status,
                                'tries', s.tries, 'machine', (SELECT w.name FROM step_attempts a JOIN workers w ON w.id = a.worker_id
                                                              WHERE a.step_id = s.id ORDER BY a.id DESC LIMIT 1),
                                'startedAt', s.started_at, 'finishedAt', s.finished_at)
                            ORDER BY s.id = b.top_step_id, s.id), '[]')
                          FROM build_steps bs JOIN steps s ON s.id = bs.step_id WHERE bs.build_id = b.id),
                'logStepId', CASE WHEN b.build_status = {BuildStatus.DependencyFailed} THEN coalesce(
                                (SELECT bs.step_id FROM build_steps bs JOIN steps s ON s.id = bs.step_id
                                 WHERE bs.build_id = b.id AND bs.step_id IS DISTINCT FROM b.top_step_id AND s.state = {(short)StepState.Failed}
                                 ORDER BY s.finished_at LIMIT 1), b.top_step_id)
                             ELSE b.top_step_id END,
                'products', (SELECT coalesce(json_agg(json_build_object(
                                'number', r.product_nr, 'type', r.type, 'subtype', r.subtype, 'name', r.name, 'path', r.path,
                                'fileSize', r.file_size, 'sha256', r.sha256hash) ORDER BY r.product_nr), '[]')
                             FROM build_products r WHERE r.build_id = b.id),
                'metrics', (SELECT coalesce(json_agg(json_build_object('name', x.name, 'value', x.value, 'unit', x.unit) ORDER BY x.name), '[]')
                            FROM build_metrics x WHERE x.build_id = b.id),
                'runCommands', (SELECT coalesce(json_agg(json_build_object(
                                   'id', c.id, 'command', c.command, 'exitCode', c.exit_code, 'output', c.output,
                                   'startedAt', c.started_at, 'finishedAt', c.finished_at) ORDER BY c.id), '[]')
                                FROM run_command_logs c WHERE c.build_id = b.id))::text AS "Value"
            FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id
            WHERE b.id = {id}
            """).SingleOrDefaultAsync(cancellationToken);
        if (json is null)
        {
            return null;
        }
        var row = JsonSerializer.Deserialize<Row>(json, JsonOptions)!;
        var logTail = row.LogStepId is { } stepId
            ? await logs.ReadTailAsync(stepId, BuildPageModel.LogTailLines, cancellationToken)
            : null;
        return new BuildPageModel(
            row.Id, row.Project, row.Owner, row.Jobset, row.Job, row.NixName, row.Description, row.System, row.DrvPath, row.Finished,
            row.Finished ? row.BuildStatus : null, row.IsCachedBuild, row.Priority, row.QueuedAt, row.StartTime, row.StopTime,
            row.Outputs, row.Evals, row.Steps, row.LogStepId, logTail, row.ReleaseName, row.Products, row.Metrics, row.Keep, row.RunCommands);
    }

    /// <summary>The statement's JSON document.</summary>
    private sealed record Row(
        long Id, string Project, string Owner, string Jobset, string Job, string NixName, string? Description, string System, string DrvPath,
        bool Finished, int? BuildStatus, bool IsCachedBuild, int Priority, DateTimeOffset QueuedAt, DateTimeOffset? StartTime,
        DateTimeOffset? StopTime, string? ReleaseName, bool Keep, List<BuildPageModel.OutputRow> Outputs, List<long> Evals,
        List<BuildPageModel.StepRow> Steps, long? LogStepId, List<BuildPageModel.ProductRow> Products, List<BuildPageModel.MetricRow> Metrics,
        List<RunCommandLog> RunCommands);
}
