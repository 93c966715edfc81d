using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Projects;

/// <summary>A project and the state of each jobset's latest evaluation.</summary>
public sealed record ProjectPageModel(
    string Name,
    string DisplayName,
    string Description,
    string Homepage,
    string Owner,
    bool Enabled,
    bool Hidden,
    IReadOnlyList<ProjectPageModel.JobsetRow> Jobsets)
{
    public sealed record JobsetRow(
        string Name, string Description, short Enabled, bool Hidden, DateTimeOffset? LastCheckedAt,
        bool HasError, long? LatestEvalId, BuildCounts Counts);
}
