namespace Hydra.Builder.Configuration;

/// <summary>Either valid <see cref="Options"/> or the list of problems to show the user.</summary>
public sealed record BuilderOptionsResult(BuilderOptions? Options, IReadOnlyList<string> Errors)
{
    public bool IsValid => Options is not null && Errors.Count == 0;
}
