using Hydra.Core.Data;
using Hydra.Queue.Logs;
using Hydra.Web.Pages;
using Hydra.Web.Pages.Logs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// Logs for browsers as the log page (<see cref="LogPage"/>, when <c>Accept</c> names text/html), else as text/plain, decompressed: <c>/build/{id}/log</c> (the build's own step, or the failed dependency for
/// "dependency failed") and <c>/build/{id}/step/{stepId}/log</c> for any step of the build, each also as
/// <c>.../log/raw</c> (the same) and <c>.../log/tail?lines=N</c> (the last N lines, 50 by default). A running
/// step's log grows between requests.
/// </summary>
internal static class LogEndpoints
{
    private const string TextPlain = "text/plain; charset=utf-8";
    private const int DefaultTailLines = 50;
    private const int MaxTailLines = 10_000;

    public static RouteGroupBuilder MapLogEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}/log", (long id, HttpContext http, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken) =>
            WantsPage(http.Request) ? BuildLogPageAsync(id, db, logs, cancellationToken) : BuildLogAsync(id, db, logs, cancellationToken));
        routes.MapGet("/build/{id:long}/log/raw", BuildLogAsync);
        routes.MapGet("/build/{id:long}/log/tail", (long id, int? lines, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken) =>
            BuildLogAsync(id, db, logs, cancellationToken, lines ?? DefaultTailLines));
        routes.MapGet("/build/{id:long}/step/{stepId:long}/log",
            async (long id, long stepId, HttpContext http, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken) =>
                WantsPage(http.Request) ? await StepLogPageAsync(id, stepId, db, logs, cancellationToken) : await StepLogAsync(id, stepId, db, logs, cancellationToken));
        routes.MapGet("/build/{id:long}/step/{stepId:long}/log/raw", StepLogAsync);
        routes.MapGet("/build/{id:long}/step/{stepId:long}/log/tail",
            (long id, long stepId, int? lines, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken) =>
                StepLogAsync(id, stepId, db, logs, cancellationToken, lines ?? DefaultTailLines));
        return routes;
    }

    private static async Task<IResult> BuildLogAsync(
        long id, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken, int? tailLines = null)
    {
        var (exists, stepId) = await LogStep.ForBuildAsync(db, id, cancellationToken);
        return exists
            ? await ServeAsync(logs, stepId, tailLines, cancellationToken)
            : Results.Text($"Build {id} doesn't exist.\n", TextPlain, statusCode: StatusCodes.Status404NotFound);
    }

    /// <summary>
    /// Browsers get the log page; scripts (curl, <c>Accept: text/plain</c> or <c>*/*</c>) keep getting the text, as
    /// from Hydra's <c>/log</c> URLs.
    /// </summary>
    private static bool WantsPage(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    private static async Task<IResult> BuildLogPageAsync(long id, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken)
    {
        var (exists, logStep) = await LogStep.ForBuildAsync(db, id, cancellationToken);
        if (!exists)
        {
            return NotFoundPage.Result($"Build {id} doesn't exist.");
        }
        return logStep is { } stepId
            ? await StepLogPageAsync(id, stepId, db, logs, cancellationToken)
            : NotFoundPage.Result($"Build {id} has no steps: every output was already in the binary cache, so nothing was built and there is no log.");
    }

    private static async Task<IResult> StepLogPageAsync(long id, long stepId, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken)
    {
        var model = await LogPageQuery.LoadAsync(db, logs, id, stepId, cancellationToken);
        return model is null
            ? NotFoundPage.Result($"Step {stepId} is not part of build {id}.")
            : new RazorComponentResult<LogPage>(new { Model = model });
    }

    private static async Task<IResult> StepLogAsync(
        long id, long stepId, HydraDbContext db, StepLogStore logs, CancellationToken cancellationToken, int? tailLines = null)
    {
        var belongs = await db.BuildSteps.AnyAsync(s => s.BuildId == id && s.StepId == stepId, cancellationToken);
        return belongs
            ? await ServeAsync(logs, stepId, tailLines, cancellationToken)
            : Results.Text($"Step {stepId} is not part of build {id}.\n", TextPlain, statusCode: StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> ServeAsync(StepLogStore logs, long? stepId, int? tailLines, CancellationToken cancellationToken)
    {
        if (tailLines is { } lines)
        {
            var tail = stepId is null ? null : await logs.ReadTailAsync(stepId.Value, Math.Clamp(lines, 1, MaxTailLines), cancellationToken);
            return tail is null ? NoLog() : Results.Text(tail.Length == 0 ? tail : tail + "\n", TextPlain);
        }
        var stream = stepId is null ? null : logs.OpenRead(stepId.Value);
        return stream is null ? NoLog() : Results.Stream(stream, TextPlain);
    }

    private static IResult NoLog() => Results.Text("No log yet.\n", TextPlain, statusCode: StatusCodes.Status404NotFound);
}
