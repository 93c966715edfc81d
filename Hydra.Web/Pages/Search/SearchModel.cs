namespace Hydra.Web.Pages.Search;

/// <summary>
/// What <c>GET /search?query=</c> found: projects and jobsets by name, jobs among the current builds (names with
/// at least <see cref="MinJobQueryLength"/> characters, through a trigram index), and builds whose output or
/// derivation is exactly the store path asked for (as in Hydra).
/// </summary>
public sealed record SearchModel(
    string Query,
    string? Error,
    IReadOnlyList<SearchModel.ProjectHit> Projects,
    IReadOnlyList<SearchModel.JobsetHit> Jobsets,
    IReadOnlyList<SearchModel.BuildHit> Jobs,
    IReadOnlyList<SearchModel.BuildHit> BuildsByOutput,
    IReadOnlyList<SearchModel.BuildHit> BuildsByDerivation,
    int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 50;
    public const int MaxQueryLength = 400;
    public const int MinJobQueryLength = 3;

    public static SearchModel Empty(string query, string? error, int limit) => new(query, error, [], [], [], [], [], limit);

    public bool Found => Projects.Count + Jobsets.Count + Jobs.Count + BuildsByOutput.Count + BuildsByDerivation.Count > 0;

    public sealed record ProjectHit(string Name, string DisplayName, string Description);

    public sealed record JobsetHit(string Project, string Name, string Description);

    public sealed record BuildHit(long Id, string Project, string Jobset, string Job, string System, bool Finished, int? Status, DateTimeOffset QueuedAt);
}
