namespace Hydra.Evaluator.Forges;

/// <summary>A jobset with a <c>pullrequests</c> input: the one each of its pull-request jobsets is copied from.</summary>
public sealed record PullRequestTemplate(long JobsetId, string Project, string Jobset, PullRequestSource Source, bool IsFlake, string? Flake, string? NixExprInput)
{
    /// <summary>The pull-request jobset's name: <c>JOBSET-pr-N</c>.</summary>
    public string JobsetName(int number) => $"{Jobset}-pr-{number}";
}
