namespace Hydra.Web.Auth;

/// <summary>Hydra's role names, stored as-is in <c>users.roles</c> and issued as role claims.</summary>
public static class HydraRoles
{
    public const string Admin = "admin";
    public const string CreateProjects = "create-projects";
    public const string RestartJobs = "restart-jobs";
    public const string BumpToFront = "bump-to-front";
    public const string CancelBuild = "cancel-build";
    public const string EvalJobset = "eval-jobset";

    /// <summary>Promotes and rolls back channels (docs/channels.md); not one of Hydra's roles.</summary>
    public const string ReleaseManager = "release-manager";

    public static readonly IReadOnlyList<string> All = [Admin, CreateProjects, RestartJobs, BumpToFront, CancelBuild, EvalJobset, ReleaseManager];
}
