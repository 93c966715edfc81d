using Hydra.Core.Data.Entities;

namespace Hydra.Web.Pages.Logs;

/// <summary>
/// <c>GET /build/{id}/log</c> and <c>/build/{id}/step/{stepId}/log</c> as a page: the rendered lines (the last
/// <see cref="MaxLines"/> of a longer log), where the first error is, and where a live stream continues.
/// </summary>
public sealed record LogPageModel(
    long BuildId,
    string Project,
    string Jobset,
    string Job,
    long StepId,
    string DrvPath,
    StepState State,
    int? Status,
    string? Machine,
    IReadOnlyList<LogPageModel.Line> Lines,
    int TotalLines,
    int? FirstErrorLine,
    long EndOffset)
{
    /// <summary>Lines shown on the page; the raw log has the rest.</summary>
    public const int MaxLines = 20_000;

    /// <summary>The step may still write: the page follows it with Server-Sent Events.</summary>
    public bool Live => IsLive(State);

    /// <summary>A step in these states may still append to its log.</summary>
    public static bool IsLive(StepState state) => state is StepState.Running or StepState.Runnable or StepState.Pending;

    public string BaseUrl => $"/build/{BuildId}/step/{StepId}/log";

    public sealed record Line(int Number, IReadOnlyList<LogSegment> Segments, bool IsError);
}
