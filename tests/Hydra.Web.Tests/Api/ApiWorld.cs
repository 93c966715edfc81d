using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Tests.Api;

/// <summary>
/// One small farm for the API tests, inserted as the evaluator and queue write it: project <c>api</c>,
/// jobset <c>main</c>, two evaluations. The newer one holds a succeeded <c>hello</c> with a
/// <c>nix-build</c> product, a metric and two steps, a failed <c>broken</c>, and an aggregate <c>release</c>
/// made of both; the older, finished one holds an earlier <c>hello</c>. A queued <c>pending</c> build
/// sits in a third evaluation, beside
/// the newest succeeded <c>hello</c>, so <c>latest</c> and <c>latest-finished</c> differ.
/// </summary>
internal sealed record ApiWorld(long JobsetId, long OldEvalId, long EvalId, long PendingEvalId, long OldHelloId, long HelloId, long BrokenId, long ReleaseId, long PendingId, long NewestHelloId, long[] HelloSteps)
{
    public const string Project = "api";
    public const string Jobset = "main";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HydraWebFactory, Task<ApiWorld>> Seeded = [];

    /// <summary>The farm in this factory's database, seeded by the first test of the class that asks.</summary>
    public static Task<ApiWorld> InAsync(HydraWebFactory factory) =>
        Seeded.GetValue(factory, f => SeedOnceAsync(f));

    private static async Task<ApiWorld> SeedOnceAsync(HydraWebFactory factory)
    {
        ApiWorld world = null!;
        await factory.WithDbAsync(async db => world = await SeedAsync(db));
        return world;
    }

    public static async Task<ApiWorld> SeedAsync(HydraDbContext db)
    {
        var jobset = await Seed.JobsetAsync(db, Project, Jobset);
        var oldEval = await Seed.EvalAsync(db, jobset);
        var oldHello = await Seed.BuildAsync(db, jobset, oldEval, "hello", BuildStatus.Succeeded);
        var eval = await Seed.EvalAsync(db, jobset, revision: "fedcba9876543210fedcba9876543210fedcba98");
        var dependency = await Seed.StepAsync(db, StepState.Succeeded, 0);
        var top = await Seed.StepAsync(db, StepState.Succeeded, 0);
        var hello = await Seed.BuildAsync(db, jobset, eval, "hello", BuildStatus.Succeeded, top);
        db.Add(new BuildStep { BuildId = hello.Id, StepId = dependency.Id });
        var broken = await Seed.BuildAsync(db, jobset, eval, "broken", BuildStatus.Failed);
        var release = await Seed.BuildAsync(db, jobset, eval, "release", BuildStatus.Succeeded);
        db.AddRange(
            new AggregateConstituent { AggregateId = release.Id, ConstituentId = hello.Id },
            new AggregateConstituent { AggregateId = release.Id, ConstituentId = broken.Id });
        var helloOut = hello.Outputs[0].Path;
        db.AddRange(
            new BuildProduct { BuildId = hello.Id, ProductNr = 1, Type = "nix-build", Subtype = "", Path = helloOut, Name = "hello-1.0" },
            new BuildProduct { BuildId = hello.Id, ProductNr = 2, Type = "file", Subtype = "readme", Path = helloOut + "/README", Name = "README", FileSize = 5, Sha256hash = new string('a', 64) },
            new BuildProduct { BuildId = oldHello.Id, ProductNr = 1, Type = "nix-build", Subtype = "", Path = oldHello.Outputs[0].Path, Name = "hello-1.0" },
            new BuildMetric { BuildId = hello.Id, Name = "size", Unit = "bytes", Value = 1234.5, JobsetId = jobset.Id, Job = "hello", Timestamp = Seed.Now });
        hello.IsCurrent = broken.IsCurrent = release.IsCurrent = true;
        await db.SaveChangesAsync();

        var pendingEval = await Seed.EvalAsync(db, jobset);
        var pending = await Seed.BuildAsync(db, jobset, pendingEval, "pending");
        var newestHello = await Seed.BuildAsync(db, jobset, pendingEval, "hello", BuildStatus.Succeeded);
        return new ApiWorld(jobset.Id, oldEval.Id, eval.Id, pendingEval.Id, oldHello.Id, hello.Id, broken.Id, release.Id, pending.Id, newestHello.Id,
            [Math.Min(top.Id, dependency.Id), Math.Max(top.Id, dependency.Id)]);
    }
}
