using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Hydra.Evaluator.Jobsets;

/// <summary>Asks for an evaluation now: sets the jobset's trigger time and wakes the schedulers.</summary>
public sealed class JobsetTrigger(HydraDbContext db, NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>The NOTIFY channel schedulers LISTEN on.</summary>
    public const string Channel = "hydra_jobset_triggered";

    /// <summary>Triggers "project:jobset" names; returns the ones that exist, in the given order.</summary>
    public async Task<IReadOnlyList<string>> TriggerAsync(IEnumerable<(string Project, string Jobset)> names, bool force, CancellationToken cancellationToken)
    {
        var triggered = new List<string>();
        var now = clock.GetUtcNow();
        foreach (var (project, jobset) in names)
        {
            var count = await db.Jobsets.Where(j => j.Name == jobset && j.Project!.Name == project)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.TriggerTime, j => j.TriggerTime ?? now)
                    .SetProperty(j => j.ForceEval, j => j.ForceEval || force), cancellationToken);
            if (count > 0)
            {
                triggered.Add($"{project}:{jobset}");
            }
        }
        if (triggered.Count > 0)
        {
            await using var notify = dataSource.CreateCommand($"SELECT pg_notify('{Channel}', '')");
            await notify.ExecuteNonQueryAsync(cancellationToken);
        }
        return triggered;
    }
}
