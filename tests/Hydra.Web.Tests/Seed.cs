using Hydra.Core.Data;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Tests;

/// <summary>Rows inserted straight through the DbContext, as the evaluator and queue would write them.</summary>
internal static class Seed
{
    public static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    public static async Task<Jobset> JobsetAsync(HydraDbContext db, string project, string jobset)
    {
        var p = new Project { Name = project, DisplayName = project, Owner = "alice", CreatedAt = Now };
        var j = new Jobset { Project = p, Name = jobset, NixExprInput = "src", NixExprPath = "release.nix", CreatedAt = Now };
        j.Inputs.Add(new JobsetInput { Name = "src", Type = "git", Value = "https://example.org/repo.git" });
        db.Add(j);
        await db.SaveChangesAsync();
        return j;
    }

    public static async Task<Evaluation> EvalAsync(HydraDbContext db, Jobset jobset, bool hasNewBuilds = true, string revision = "0123456789abcdef0123456789abcdef01234567")
    {
        var eval = new Evaluation
        {
            JobsetId = jobset.Id, CreatedAt = Now, InputsHash = Guid.NewGuid().ToString("N"), HasNewBuilds = hasNewBuilds,
            NixExprInput = "src", NixExprPath = "release.nix", CheckoutSeconds = 1.4, EvalSeconds = 2.6,
        };
        eval.Inputs.Add(new EvaluationInput { Name = "src", Type = "git", Uri = "https://example.org/repo.git", Revision = revision });
        db.Add(eval);
        await db.SaveChangesAsync();
        return eval;
    }

    public static async Task<Build> BuildAsync(HydraDbContext db, Jobset jobset, Evaluation? eval, string job, int? status = null, Step? topStep = null)
    {
        var build = new Build
        {
            JobsetId = jobset.Id, Job = job, NixName = $"{job}-1.0", DrvPath = $"/nix/store/{Guid.NewGuid():N}-{job}-1.0.drv",
            System = "x86_64-linux", QueuedAt = Now.AddMinutes(-5), Finished = status is not null, BuildStatus = status,
            StartTime = status is null ? null : Now.AddMinutes(-4), StopTime = status is null ? null : Now.AddMinutes(-1),
            TopStepId = topStep?.Id,
        };
        if (status is not null)
        {
            build.Outputs.Add(new BuildOutput { Name = "out", Path = $"/nix/store/{Guid.NewGuid():N}-{job}-1.0" });
        }
        db.Add(build);
        await db.SaveChangesAsync();
        if (eval is not null)
        {
            db.Add(new EvaluationMember { EvaluationId = eval.Id, BuildId = build.Id, IsNew = true });
        }
        if (topStep is not null)
        {
            db.Add(new BuildStep { BuildId = build.Id, StepId = topStep.Id });
        }
        await db.SaveChangesAsync();
        return build;
    }

    public static async Task<Step> StepAsync(HydraDbContext db, StepState state, int? status = null)
    {
        var step = new Step
        {
            DrvPath = $"/nix/store/{Guid.NewGuid():N}-step.drv", System = "x86_64-linux", State = state, Status = status,
            CreatedAt = Now, Tries = 1, StartedAt = Now.AddMinutes(-3), FinishedAt = state >= StepState.Succeeded ? Now : null,
        };
        db.Add(step);
        await db.SaveChangesAsync();
        return step;
    }
}
