using System.Text.Json;

namespace Hydra.Core.Notifications;

/// <summary>Everything a sink needs to deliver one event: the sink's settings, the event, its jobset, build and evaluation.</summary>
public sealed record DeliveryContext
{
    public required long DeliveryId { get; init; }

    /// <summary>1 for the first attempt.</summary>
    public required int Attempt { get; init; }

    public required SinkSettings Sink { get; init; }
    public required NotificationEvent Event { get; init; }
    public required string Project { get; init; }
    public required string Jobset { get; init; }

    /// <summary>The jobset's <c>email_override</c> (comma-separated addresses), empty when none.</summary>
    public required string EmailOverride { get; init; }

    /// <summary>The jobset input holding the expression (<c>flake</c> for flake jobsets), the default for a forge's commit.</summary>
    public required string NixExprInput { get; init; }

    /// <summary>The farm's public address, without a trailing slash.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The build, for build events.</summary>
    public BuildSummary? Build { get; init; }

    /// <summary>The event's evaluation; for a build event, the newest evaluation that has the build.</summary>
    public long? EvaluationId { get; init; }

    public IReadOnlyList<EvaluationInputInfo> Inputs { get; init; } = [];

    /// <summary>For <see cref="NotificationEventKinds.EvaluationCompleted"/>: every build of the evaluation.</summary>
    public IReadOnlyList<JobResult> Jobs { get; init; } = [];

    public string? BuildUrl => Build is null ? null : $"{BaseUrl}/build/{Build.Id}";
    public string? EvaluationUrl => EvaluationId is null ? null : $"{BaseUrl}/eval/{EvaluationId}";
    public string JobsetUrl => $"{BaseUrl}/jobset/{Project}/{Jobset}";

    /// <summary>"project:jobset:job", Hydra's full job name.</summary>
    public string FullJobName => Build is null ? $"{Project}:{Jobset}" : $"{Project}:{Jobset}:{Build.Job}";
}

/// <summary>A sink's row: what it is and its settings (secrets included).</summary>
public sealed record SinkSettings(long Id, string Kind, string Name, JsonElement Settings)
{
    /// <summary>A string setting, or null when missing or empty.</summary>
    public string? Get(string name) =>
        Settings.ValueKind == JsonValueKind.Object && Settings.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;

    public bool GetBool(string name, bool fallback) =>
        Settings.ValueKind == JsonValueKind.Object && Settings.TryGetProperty(name, out var value)
            ? value.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => fallback }
            : fallback;
}

/// <summary>A row of <c>notification_events</c>.</summary>
public sealed record NotificationEvent(long Id, string Kind, DateTimeOffset CreatedAt, int? BuildStatus, string? Message);

/// <summary>The build an event is about.</summary>
public sealed record BuildSummary(
    long Id, string Job, string NixName, string DrvPath, string System, bool Finished, int? Status, bool IsCached,
    DateTimeOffset? StartTime, DateTimeOffset? StopTime, string? Description, string? Maintainers,
    IReadOnlyList<(string Name, string Path)> Outputs)
{
    /// <summary>The status of the jobset's previous finished build of the same job (not aborted or cancelled), null when none.</summary>
    public int? PreviousStatus { get; init; }
}

/// <summary>An input of the evaluation: for a git input, <see cref="Uri"/> and the commit in <see cref="Revision"/>.</summary>
public sealed record EvaluationInputInfo(string Name, string Type, string? Uri, string? Revision);

/// <summary>A build of an evaluation, for summaries.</summary>
public sealed record JobResult(long BuildId, string Job, bool Finished, int? Status);
