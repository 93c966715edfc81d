using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Projects;

/// <summary>
/// A project and the state of each jobset's latest evaluation. <see cref="Declarative"/> is set on a
/// declarative project; its <c>.jobsets</c> jobset is not among <see cref="Jobsets"/> but described there.
/// </summary>
public sealed record ProjectPageModel(
    string Name,
    string DisplayName,
    string Description,
    string Homepage,
    string Owner,
    bool Enabled,
    bool Hidden,
    IReadOnlyList<ProjectPageModel.JobsetRow> Jobsets,
    ProjectPageModel.DeclarativeSpec? Declarative = null)
{
    /// <summary>Where the spec is read from, and how the last reading went (<see cref="Error"/> null when it applied).</summary>
    public sealed record DeclarativeSpec(string File, string Type, string Value, DateTimeOffset? LastCheckedAt, string? Error);

    public sealed record JobsetRow(
        string Name, string Description, short Enabled, bool Hidden, DateTimeOffset? LastCheckedAt,
        bool HasError, long? LatestEvalId, BuildCounts Counts);
}
