namespace Hydra.Evaluator.Forges;

/// <summary>Where one forge's REST API lives and the token to call it with.</summary>
public sealed class ForgeApiOptions
{
    /// <summary>API base URL: <c>https://api.github.com</c>, <c>https://gitea.example.org/api/v1</c>, <c>https://gitlab.com/api/v4</c>.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>Optional token (GitHub: <c>Authorization: Bearer</c>; Gitea: <c>Authorization: token</c>; GitLab: <c>PRIVATE-TOKEN</c>).</summary>
    public string? Token { get; set; }
}
