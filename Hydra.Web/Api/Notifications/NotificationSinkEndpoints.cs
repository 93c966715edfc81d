using System.Text.Json;
using System.Text.Json.Nodes;
using Hydra.Core.Notifications;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Notifications;
using Npgsql;

namespace Hydra.Web.Api.Notifications;

/// <summary>
/// A project's notification sinks (email, Slack, Matrix, webhooks, RunCommand, forge statuses) as JSON:
/// <c>GET /project/{p}/notifications</c> (a request that asks for <c>text/html</c>, as browsers do, gets the page,
/// <see cref="SinkPageEndpoints"/>; every other client keeps getting JSON, as before the page existed), <c>POST</c> to add one, <c>PUT</c> and <c>DELETE
/// /project/{p}/notifications/{id}</c>. Those who administer the project (<see cref="ProjectRights"/>) may
/// see and change them; secrets are never shown back. See docs/notifications.md for the fields.
/// </summary>
internal static class NotificationSinkEndpoints
{
    public static RouteGroupBuilder MapNotificationSinkEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/project/{project}/notifications", ListAsync);
        routes.MapPost("/project/{project}/notifications", CreateAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        routes.MapPut("/project/{project}/notifications/{id:long}", UpdateAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        routes.MapDelete("/project/{project}/notifications/{id:long}", DeleteAsync).AddEndpointFilter<WriteAccessFilter>().DisableAntiforgery();
        return routes;
    }

    private static async Task<IResult> ListAsync(
        string project, long? tested, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks, CancellationToken cancellationToken) =>
        !Negotiation.WantsJson(http.Request) && http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            ? await SinkPageEndpoints.ListPageAsync(project, tested, http, db, sinks, cancellationToken)
            : await RefuseAsync(project, http, db, cancellationToken) ?? HydraJson.Ok(await sinks.ListAsync(project, cancellationToken));

    private static async Task<IResult> CreateAsync(string project, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks, CancellationToken cancellationToken)
    {
        var (change, refusal) = await ReadAsync(project, http, db, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        return await sinks.CreateAsync(project, change!, cancellationToken) is { } id
            ? HydraJson.Status(new { id }, StatusCodes.Status201Created)
            : HydraJson.NotFound($"Jobset '{change!.Jobset}' doesn't exist in project '{project}'.");
    }

    private static async Task<IResult> UpdateAsync(string project, long id, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks, CancellationToken cancellationToken)
    {
        var (change, refusal) = await ReadAsync(project, http, db, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }
        return await sinks.UpdateAsync(project, id, change!, cancellationToken)
            ? HydraJson.Ok(new { id })
            : HydraJson.NotFound($"No sink {id} in project '{project}' (or no jobset '{change!.Jobset}').");
    }

    /// <summary>The rights check, then the body read and validated: a change, or the refusal to send.</summary>
    private static async Task<(NotificationSinkStore.Change? Change, IResult? Refusal)> ReadAsync(
        string project, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        if (await RefuseAsync(project, http, db, cancellationToken) is { } refusal)
        {
            return (null, refusal);
        }
        if (await ReadChangeAsync(http.Request, cancellationToken) is not { } change)
        {
            return (null, HydraJson.Error(StatusCodes.Status400BadRequest, "Send a JSON object: {\"kind\": ..., \"settings\": {...}} (see docs/notifications.md)."));
        }
        return NotificationSinkStore.Validate(change) is { } problem
            ? (null, HydraJson.Error(StatusCodes.Status400BadRequest, problem))
            : (change, null);
    }

    private static async Task<IResult> DeleteAsync(string project, long id, HttpContext http, NpgsqlDataSource db, NotificationSinkStore sinks, CancellationToken cancellationToken)
    {
        if (await RefuseAsync(project, http, db, cancellationToken) is { } refusal)
        {
            return refusal;
        }
        return await sinks.DeleteAsync(project, id, cancellationToken)
            ? HydraJson.Ok(new { deleted = id })
            : HydraJson.NotFound($"No sink {id} in project '{project}'.");
    }

    /// <summary>404 for a missing project, 403 for a user who does not administer it; null when the request may go on.</summary>
    private static async Task<IResult?> RefuseAsync(string project, HttpContext http, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var owner = db.CreateCommand("SELECT owner FROM projects WHERE name = $1");
        owner.Parameters.AddWithValue(project);
        if (await owner.ExecuteScalarAsync(cancellationToken) is not string ownerName)
        {
            return HydraJson.NotFound($"Project '{project}' doesn't exist.");
        }
        return ProjectRights.Administers(http.User, project, ownerName)
            ? null
            : HydraJson.Error(StatusCodes.Status403Forbidden, $"Only those who administer '{project}' may see or change its notifications.");
    }

    private static async Task<NotificationSinkStore.Change?> ReadChangeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
        if (body is null || Text(body, "kind") is not { } kind)
        {
            return null;
        }
        IReadOnlyList<string>? events = body["events"] is JsonArray array
            ? array.Select(e => e is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList()
            : null;
        return new NotificationSinkStore.Change(
            Text(body, "jobset"), kind, Text(body, "name") ?? "",
            body["enabled"] is not JsonValue enabled || !enabled.TryGetValue<bool>(out var on) || on,
            events, Text(body, "jobs") ?? "*",
            body["settings"] is JsonObject settings ? (JsonObject)settings.DeepClone() : []);
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
}
