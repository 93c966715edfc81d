namespace Hydra.Evaluator.Forges;

/// <summary>The forges whose open pull requests jobsets follow, bound from <c>Hydra:Forges</c>.</summary>
public sealed class ForgeOptions
{
    public const string Section = "Hydra:Forges";

    /// <summary>How often the open pull requests of every following jobset are listed; zero turns the poll off (webhooks only).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most pages of one listing read (GitHub: 100 pull requests a page).</summary>
    public int MaxPages { get; set; } = 20;

    public ForgeApiOptions GitHub { get; set; } = new() { ApiUrl = "https://api.github.com" };

    /// <summary>Gitea is self-hosted, so it has no default API URL; following a Gitea repository needs one.</summary>
    public ForgeApiOptions Gitea { get; set; } = new();

    public ForgeApiOptions GitLab { get; set; } = new() { ApiUrl = "https://gitlab.com/api/v4" };

    public ForgeApiOptions For(string forge) => forge switch
    {
        "gitea" => Gitea,
        "gitlab" => GitLab,
        _ => GitHub,
    };
}
