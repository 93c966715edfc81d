using Hydra.Core;
using Hydra.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Raw logs as text/plain: <c>/build/{id}/log</c> (the build's own step, or the failed dependency
/// for "dependency failed") and <c>/build/{id}/step/{stepId}/log</c> for any step of the build.
/// </summary>
internal static class LogEndpoints
{
    private const string TextPlain = "text/plain; charset=utf-8";

    public static RouteGroupBuilder MapLogEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}/log", BuildLogAsync);
        routes.MapGet("/build/{id:long}/step/{stepId:long}/log", StepLogAsync);
        return routes;
    }

    private static async Task<IResult> BuildLogAsync(long id, HydraDbContext db, IOptions<HydraOptions> options, CancellationToken cancellationToken)
    {
        var build = await db.Builds.AsNoTracking().Where(b => b.Id == id)
            .Select(b => new { b.TopStepId, b.BuildStatus }).SingleOrDefaultAsync(cancellationToken);
        if (build is null)
        {
            return Results.Text($"Build {id} doesn't exist.\n", TextPlain, statusCode: StatusCodes.Status404NotFound);
        }
        var stepId = await LogStep.FindAsync(db, id, build.TopStepId, build.BuildStatus, cancellationToken);
        return Serve(options.Value, stepId);
    }

    private static async Task<IResult> StepLogAsync(long id, long stepId, HydraDbContext db, IOptions<HydraOptions> options, CancellationToken cancellationToken)
    {
        var belongs = await db.BuildSteps.AnyAsync(s => s.BuildId == id && s.StepId == stepId, cancellationToken);
        return belongs
            ? Serve(options.Value, stepId)
            : Results.Text($"Step {stepId} is not part of build {id}.\n", TextPlain, statusCode: StatusCodes.Status404NotFound);
    }

    private static IResult Serve(HydraOptions options, long? stepId)
    {
        var path = stepId is null ? null : Path.GetFullPath(options.StepLogPath(stepId.Value));
        return path is not null && File.Exists(path)
            ? Results.File(path, TextPlain, enableRangeProcessing: true)
            : Results.Text("No log yet.\n", TextPlain, statusCode: StatusCodes.Status404NotFound);
    }
}
