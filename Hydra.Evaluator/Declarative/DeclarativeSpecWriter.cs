using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Makes a project's jobsets match a validated spec, in one transaction: each jobset of the spec is
/// created or updated (inputs replaced as a whole); every other jobset except <c>.jobsets</c> is
/// disabled and hidden, as Hydra's handleDeclarativeJobsetJson does, so its history stays.
/// The static spec file and the output of a generated project's <c>jobsets</c> build both come here.
/// </summary>
public static class DeclarativeSpecWriter
{
    /// <summary>Applies <paramref name="specs"/>, in the caller's transaction when there is one, else in its own.</summary>
    public static async Task<DeclarativeChanges> ApplyAsync(HydraDbContext db, long projectId, IReadOnlyList<JobsetSpec> specs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var existing = await db.Jobsets.Include(j => j.Inputs).Where(j => j.ProjectId == projectId).ToListAsync(cancellationToken);
        var created = new List<string>();
        var updated = new List<string>();
        var removed = new List<string>();
        foreach (var spec in specs)
        {
            var jobset = existing.SingleOrDefault(j => j.Name == spec.Name);
            if (jobset is null)
            {
                jobset = new Jobset { ProjectId = projectId, Name = spec.Name, NixExprInput = "", NixExprPath = "", CreatedAt = now };
                db.Jobsets.Add(jobset);
                created.Add(spec.Name);
            }
            else if (!Matches(jobset, spec))
            {
                updated.Add(spec.Name);
            }
            Configure(jobset, spec);
        }
        foreach (var jobset in existing.Where(j => j.Name != DeclarativeProject.JobsetName && !specs.Any(s => s.Name == j.Name)))
        {
            if (jobset.Enabled != 0 || !jobset.Hidden)
            {
                jobset.Enabled = 0;
                jobset.Hidden = true;
                removed.Add(jobset.Name);
            }
        }
        await db.SaveChangesAsync(cancellationToken);

        // A spec cannot carry credentials: those stored through the API stay on git inputs and go
        // with inputs that are no longer git (removed inputs lose theirs through the foreign key).
        foreach (var spec in specs)
        {
            var notGit = spec.Inputs.Where(i => i.Type != "git").Select(i => i.Name).ToList();
            if (notGit.Count > 0 && existing.SingleOrDefault(j => j.Name == spec.Name) is { } jobset)
            {
                await db.InputSecrets.Where(s => s.JobsetId == jobset.Id && notGit.Contains(s.InputName)).ExecuteDeleteAsync(cancellationToken);
            }
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        var enabled = specs.Where(s => s.Enabled != 0).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return new DeclarativeChanges(created, updated, removed, created.Concat(updated).Where(enabled.Contains).ToList());
    }

    private static bool Matches(Jobset jobset, JobsetSpec spec) =>
        jobset.Description == spec.Description && jobset.Type == spec.Type && jobset.Flake == spec.Flake
        && jobset.NixExprInput == spec.NixExprInput && jobset.NixExprPath == spec.NixExprPath && jobset.Enabled == spec.Enabled
        && jobset.Hidden == spec.Hidden && jobset.CheckInterval == spec.CheckInterval && jobset.SchedulingShares == spec.SchedulingShares
        && jobset.KeepNr == spec.KeepNr && jobset.EmailOverride == spec.EmailOverride && jobset.EnableEmail == spec.EnableEmail
        && jobset.Inputs.Count == spec.Inputs.Count
        && spec.Inputs.All(s => jobset.Inputs.Any(i => i.Name == s.Name && i.Type == s.Type && i.Value == s.Value && i.EmailResponsible == s.EmailResponsible));

    /// <summary>Sets every field and the inputs of the tracked <paramref name="jobset"/> from <paramref name="spec"/>; its name stays.</summary>
    public static void Configure(Jobset jobset, JobsetSpec spec)
    {
        jobset.Description = spec.Description;
        jobset.Type = spec.Type;
        jobset.Flake = spec.Flake;
        jobset.NixExprInput = spec.NixExprInput;
        jobset.NixExprPath = spec.NixExprPath;
        jobset.Enabled = spec.Enabled;
        jobset.Hidden = spec.Hidden;
        jobset.CheckInterval = spec.CheckInterval;
        jobset.SchedulingShares = spec.SchedulingShares;
        jobset.KeepNr = spec.KeepNr;
        jobset.EmailOverride = spec.EmailOverride;
        jobset.EnableEmail = spec.EnableEmail;

        JobsetInputList.Replace(jobset, spec.Inputs.Select(i => (i.Name, i.Type, i.Value, i.EmailResponsible)));
    }
}
