using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Jobsets;

/// <summary>Reads a jobset in its JSON shape.</summary>
internal static class JobsetQueries
{
    public static async Task<JobsetJson?> FindAsync(HydraDbContext db, string project, string jobset, CancellationToken cancellationToken)
    {
        var row = await db.Jobsets.AsNoTracking()
            .Where(j => j.Project!.Name == project && j.Name == jobset)
            .Select(j => new
            {
                Jobset = j,
                Inputs = j.Inputs.OrderBy(i => i.Name).Select(i => new JobsetInputJson(
                    i.Name, i.Type, i.Value, i.EmailResponsible, db.InputSecrets.Any(s => s.JobsetId == j.Id && s.InputName == i.Name))).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }
        var j = row.Jobset;
        return new JobsetJson(
            j.Name, project, j.Description, j.NixExprInput, j.NixExprPath,
            ErrorMsg: j.ErrorMessage ?? "",
            ErrorTime: HydraJson.Unix(j.ErrorTime),
            LastCheckedTime: HydraJson.Unix(j.LastCheckedAt),
            TriggerTime: HydraJson.Unix(j.TriggerTime),
            StartTime: HydraJson.Unix(j.EvalStartedAt),
            Enabled: j.Enabled,
            Visible: !j.Hidden,
            Hidden: j.Hidden,
            EnableEmail: j.EnableEmail,
            EnableDynamicRunCommand: false,
            EmailOverride: j.EmailOverride,
            KeepNr: j.KeepNr,
            CheckInterval: j.CheckInterval,
            SchedulingShares: j.SchedulingShares,
            FetchErrorMsg: "",
            Type: j.Type,
            Flake: j.Flake ?? "",
            Inputs: row.Inputs.ToDictionary(i => i.Name));
    }
}
