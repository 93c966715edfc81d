using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Declarative;

/// <summary>
/// Keeps a project's hidden <c>.jobsets</c> jobset in line with its declarative input, as Hydra's
/// updateProject does: setting the input creates or updates <c>.jobsets</c> (one git input
/// <c>declInput</c>, the spec file as its expression path); removing it disables and hides
/// <c>.jobsets</c> but keeps its history. The jobsets the spec made stay as they are.
/// </summary>
public static class DeclarativeProject
{
    /// <summary>Hydra's name for the jobset that reads a declarative project's spec.</summary>
    public const string JobsetName = ".jobsets";

    /// <summary>The name of <c>.jobsets</c>' single input, which holds the spec.</summary>
    public const string InputName = "declInput";

    /// <summary>The input naming the project, which a generated project's <c>.jobsets</c> also gets (Hydra's projectName).</summary>
    public const string ProjectNameInput = "projectName";

    /// <summary>The job of a generated project's <c>.jobsets</c> evaluation whose output lists the jobsets.</summary>
    public const string JobsetsJob = "jobsets";

    /// <summary>Inputs the server gives a generated project's <c>.jobsets</c>, besides those of its spec.</summary>
    public static readonly IReadOnlyList<string> GeneratedInputs = [InputName, ProjectNameInput];

    /// <summary>How often <c>.jobsets</c> re-reads the spec when nothing triggers it.</summary>
    public const int DefaultCheckInterval = 300;

    /// <summary>
    /// Stores <paramref name="input"/> on the tracked <paramref name="project"/> (null removes it) and
    /// adds or updates <c>.jobsets</c> in the same context; the caller saves. Returns true when
    /// <c>.jobsets</c> should be triggered (it was created or its input changed).
    /// </summary>
    public static async Task<bool> ApplyAsync(HydraDbContext db, Project project, DeclarativeInput? input, DateTimeOffset now, CancellationToken cancellationToken)
    {
        project.DeclFile = input?.File;
        project.DeclType = input?.Type;
        project.DeclValue = input?.Value;
        var jobset = project.Id == 0 ? null : await db.Jobsets.Include(j => j.Inputs)
            .SingleOrDefaultAsync(j => j.ProjectId == project.Id && j.Name == JobsetName, cancellationToken);
        if (input is null)
        {
            if (jobset is not null)
            {
                jobset.Enabled = 0;
                jobset.Hidden = true;
            }
            return false;
        }

        var creating = jobset is null;
        if (jobset is null)
        {
            jobset = new Jobset
            {
                Project = project, Name = JobsetName, NixExprInput = InputName, NixExprPath = input.File, CheckInterval = DefaultCheckInterval,
                Description = "Reads the project's declarative spec", CreatedAt = now,
            };
            db.Jobsets.Add(jobset);
        }
        var declInput = jobset.Inputs.SingleOrDefault(i => i.Name == InputName);
        var changed = creating || jobset.Enabled == 0 || jobset.NixExprPath != input.File || declInput is null || declInput.Value != input.Value || declInput.Type != input.Type;
        jobset.Type = 0;
        jobset.Flake = null;
        jobset.NixExprInput = InputName;
        jobset.NixExprPath = input.File;
        jobset.Enabled = 1;
        jobset.Hidden = true;
        jobset.Inputs.RemoveAll(i => i.Name != InputName);
        if (declInput is null)
        {
            jobset.Inputs.Add(new JobsetInput { Name = InputName, Type = input.Type, Value = input.Value });
        }
        else
        {
            declInput.Type = input.Type;
            declInput.Value = input.Value;
        }
        return changed;
    }
}
