using Hydra.Core.Data;
using Hydra.Web.Cache;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Api.Jobs;

/// <summary><c>GET /job/{project}/{jobset}/{job}</c>: the job page.</summary>
internal static class JobEndpoints
{
    public static RouteGroupBuilder MapJobEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/job/{project}/{jobset}/{job}", JobAsync);
        return routes;
    }

    private static async Task<IResult> JobAsync(
        string project, string jobset, string job, long? before, HydraDbContext db, ClosureSizes closures, CancellationToken cancellationToken)
    {
        var model = await JobPageQuery.LoadAsync(db, closures, project, jobset, job, before, cancellationToken);
        return model is null
            ? NotFoundPage.Result($"Jobset {project}:{jobset} has no job '{job}'. The jobset page lists its jobs.")
            : new RazorComponentResult<JobPage>(new { Model = model });
    }
}
