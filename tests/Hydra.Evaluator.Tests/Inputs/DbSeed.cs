using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Evaluator.Tests.Inputs;

/// <summary>Rows written straight through the DbContext, as the web API, evaluator and queue would.</summary>
internal static class DbSeed
{
    public static async Task<Jobset> JobsetAsync(HydraDbContext db, string project, string jobset, params (string Name, string Type, string Value)[] inputs)
    {
        var p = await db.Projects.SingleOrDefaultAsync(x => x.Name == project)
            ?? new Project { Name = project, DisplayName = project, Owner = "alice", CreatedAt = DateTimeOffset.UtcNow };
        var j = new Jobset { Project = p, Name = jobset, NixExprInput = inputs.FirstOrDefault().Name ?? "src", NixExprPath = "default.nix", CreatedAt = DateTimeOffset.UtcNow };
        foreach (var (name, type, value) in inputs)
        {
            j.Inputs.Add(new JobsetInput { Name = name, Type = type, Value = value });
        }
        db.Add(j);
        await db.SaveChangesAsync();
        return j;
    }

    /// <summary>The jobset as the evaluation runner loads it.</summary>
    public static Task<Jobset> LoadAsync(HydraDbContext db, long jobsetId) =>
        db.Jobsets.AsNoTracking().Include(j => j.Inputs).Include(j => j.Project).SingleAsync(j => j.Id == jobsetId);

    public static async Task<Evaluation> EvaluationAsync(HydraDbContext db, Jobset jobset)
    {
        var evaluation = new Evaluation
        {
            JobsetId = jobset.Id, CreatedAt = DateTimeOffset.UtcNow, InputsHash = Guid.NewGuid().ToString("N"),
            NixExprInput = jobset.NixExprInput, NixExprPath = jobset.NixExprPath, HasNewBuilds = true,
        };
        db.Add(evaluation);
        await db.SaveChangesAsync();
        return evaluation;
    }

    /// <summary>A build of <paramref name="job"/>; finished with <paramref name="status"/> unless that is null.</summary>
    public static async Task<Build> BuildAsync(HydraDbContext db, Jobset jobset, Evaluation? evaluation, string job, int? status)
    {
        var build = new Build
        {
            JobsetId = jobset.Id, Job = job, NixName = job, DrvPath = $"/nix/store/{Guid.NewGuid():N}-{job}.drv", System = "x86_64-linux",
            QueuedAt = DateTimeOffset.UtcNow, Finished = status is not null, BuildStatus = status,
        };
        build.Outputs.Add(new BuildOutput { Name = "out", Path = $"/nix/store/{Guid.NewGuid():N}-{job}" });
        db.Add(build);
        await db.SaveChangesAsync();
        if (evaluation is not null)
        {
            db.Add(new EvaluationMember { EvaluationId = evaluation.Id, BuildId = build.Id, IsNew = true });
            await db.SaveChangesAsync();
        }
        return build;
    }

    public const int Succeeded = BuildStatus.Succeeded;
    public const int Failed = BuildStatus.Failed;
}
