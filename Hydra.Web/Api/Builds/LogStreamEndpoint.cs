using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Queue.Logs;
using Hydra.Web.Pages.Logs;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Api.Builds;

/// <summary>
/// <c>GET /build/{id}/step/{stepId}/log/stream?offset=B&amp;line=N</c>: the step's log from byte <c>B</c> on (line
/// number <c>N</c>) as Server-Sent Events, for the log page to follow a running step. Each <c>lines</c> event
/// carries complete lines as styled segments (JSON; the page builds text nodes from them, never markup) and an
/// id <c>offset:line</c>, so a reconnecting <c>EventSource</c> resumes where it stopped (<c>Last-Event-ID</c>).
/// An <c>end</c> event says the step finished and its log is whole; a connection also ends after
/// <see cref="MaxConnection"/>, and the browser reconnects.
/// </summary>
internal static class LogStreamEndpoint
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StateCheck = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxConnection = TimeSpan.FromMinutes(10);
    private const int LinesPerEvent = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RouteGroupBuilder MapLogStreamEndpoint(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}/step/{stepId:long}/log/stream", StreamAsync);
        return routes;
    }

    private static async Task StreamAsync(
        long id, long stepId, long? offset, int? line, HttpContext http, HydraDbContext db, StepLogStore logs,
        TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!await db.BuildSteps.AnyAsync(s => s.BuildId == id && s.StepId == stepId, cancellationToken))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            await http.Response.WriteAsync($"Step {stepId} is not part of build {id}.\n", cancellationToken);
            return;
        }

        var position = new Position(Math.Max(0, offset ?? 0), Math.Max(1, line ?? 1));
        if (Position.TryParse(http.Request.Headers["Last-Event-ID"].ToString()) is { } resumed)
        {
            position = resumed;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        await http.Response.WriteAsync("retry: 2000\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);

        var renderer = new AnsiRenderer();
        var started = timeProvider.GetTimestamp();
        var lastWrite = started;
        var lastStateCheck = long.MinValue;
        (Core.Data.Entities.StepState State, int? Status) step = default;
        while (!cancellationToken.IsCancellationRequested && timeProvider.GetElapsedTime(started) < MaxConnection)
        {
            if (lastStateCheck == long.MinValue || timeProvider.GetElapsedTime(lastStateCheck) >= StateCheck)
            {
                step = await db.Steps.AsNoTracking().Where(s => s.Id == stepId)
                    .Select(s => new ValueTuple<Core.Data.Entities.StepState, int?>(s.State, s.Status)).SingleAsync(cancellationToken);
                lastStateCheck = timeProvider.GetTimestamp();
            }
            var live = LogPageModel.IsLive(step.State);

            var batch = new List<LineJson>();
            await using (var stream = await logs.OpenReadFromAsync(stepId, position.Offset, cancellationToken))
            {
                if (stream is not null)
                {
                    await foreach (var read in LogLines.ReadAsync(stream, position.Offset, includePartial: !live, cancellationToken))
                    {
                        var (segments, isError) = LogLines.Render(renderer, read.Text);
                        batch.Add(new LineJson(position.Line, [.. segments.Select(s => new SegmentJson(s.Text, s.Classes))], isError ? true : null));
                        position = new Position(read.EndOffset, position.Line + 1);
                        if (batch.Count == LinesPerEvent)
                        {
                            await SendAsync(http, "lines", position, new { lines = batch }, cancellationToken);
                            batch.Clear();
                        }
                    }
                }
            }
            if (batch.Count > 0)
            {
                await SendAsync(http, "lines", position, new { lines = batch }, cancellationToken);
                lastWrite = timeProvider.GetTimestamp();
            }

            if (!live)
            {
                // Read after the state said finished: nothing more can come.
                await SendAsync(http, "end", position, new { status = BuildStatus.Describe(step.Status, finished: true) }, cancellationToken);
                return;
            }
            if (timeProvider.GetElapsedTime(lastWrite) >= KeepAlive)
            {
                await http.Response.WriteAsync(": keep-alive\n\n", cancellationToken);
                await http.Response.Body.FlushAsync(cancellationToken);
                lastWrite = timeProvider.GetTimestamp();
            }
            await Task.Delay(Poll, timeProvider, cancellationToken);
        }
    }

    private static async Task SendAsync(HttpContext http, string name, Position position, object data, CancellationToken cancellationToken)
    {
        await http.Response.WriteAsync($"id: {position}\nevent: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n", cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    private sealed record LineJson(int N, SegmentJson[] S, bool? E);

    private sealed record SegmentJson(string T, string? C);

    /// <summary>Where a follower is: a byte offset into the whole log and the number of the next line.</summary>
    private readonly record struct Position(long Offset, int Line)
    {
        public override string ToString() =>
            $"{Offset.ToString(CultureInfo.InvariantCulture)}:{Line.ToString(CultureInfo.InvariantCulture)}";

        public static Position? TryParse(string value)
        {
            var parts = value.Split(':');
            return parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var line) && line > 0
                ? new Position(offset, line)
                : null;
        }
    }
}
