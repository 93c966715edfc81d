using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Channels;

/// <summary>
/// Hydra's channel URLs for jobs that build their own channel: <c>/channel/custom/{project}/{jobset}/{job}</c> is the
/// latest successful build of the job (redirect), <c>.../{file}</c> redirects to that build's product of type
/// <c>channel</c> named <c>file</c> (e.g. <c>nixexprs.tar.xz</c>), and <c>.../binary-cache-url</c> names the cache.
/// Hydra's <c>latest-finished</c> is <see cref="Hydra.Web.Api.Jobs.LatestBuildEndpoints"/>.
/// </summary>
internal static class CustomChannelEndpoints
{
    public static RouteGroupBuilder MapCustomChannelEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/channel/custom/{project}/{jobset}/{job}", async (string project, string jobset, string job, NpgsqlDataSource db, CancellationToken ct) =>
            await LatestSuccessAsync(db, project, jobset, job, ct) is { } id ? Results.Redirect($"/build/{id}") : Missing(project, jobset, job));
        routes.MapGet("/channel/custom/{project}/{jobset}/{job}/binary-cache-url", (HttpContext http, IOptions<ChannelOptions> options) =>
            Results.Text(ChannelEndpoints.BinaryCacheUrl(http, options.Value) + "\n", "text/plain"));
        routes.MapGet("/channel/custom/{project}/{jobset}/{job}/{file}", ProductAsync);
        return routes;
    }

    private static async Task<IResult> ProductAsync(string project, string jobset, string job, string file, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        if (await LatestSuccessAsync(db, project, jobset, job, cancellationToken) is not { } id)
        {
            return Missing(project, jobset, job);
        }
        await using var command = db.CreateCommand(
            "SELECT product_nr FROM build_products WHERE build_id = @id AND type = 'channel' AND name = @file ORDER BY product_nr LIMIT 1");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("file", file);
        return await command.ExecuteScalarAsync(cancellationToken) is int nr
            ? Results.Redirect($"/build/{id}/download/{nr}/{Uri.EscapeDataString(file)}")
            : Results.Text($"Build {id} of {project}:{jobset}:{job} has no channel product named '{file}'.\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
    }

    /// <summary>Hydra's custom channel: the latest successful build of the job in one of the jobset's evaluations.</summary>
    private static async Task<long?> LatestSuccessAsync(NpgsqlDataSource db, string project, string jobset, string job, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand(
            """
            SELECT b.id FROM builds b JOIN jobsets j ON j.id = b.jobset_id JOIN projects p ON p.id = j.project_id
            WHERE p.name = @project AND j.name = @jobset AND b.job = @job AND b.finished AND b.build_status = 0
              AND EXISTS (SELECT 1 FROM evaluation_members m WHERE m.build_id = b.id)
            ORDER BY b.id DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("project", project);
        command.Parameters.AddWithValue("jobset", jobset);
        command.Parameters.AddWithValue("job", job);
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }

    private static IResult Missing(string project, string jobset, string job) =>
        Results.Text($"Job {project}:{jobset}:{job} has no successful build.\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
}
