namespace Hydra.Core.Processes;

/// <summary>A process to start: no shell, arguments passed as a list, <see cref="Environment"/> overrides the inherited environment.</summary>
public sealed record NixProcessRequest(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>For logs: the command line, roughly as a shell would show it.</summary>
    public override string ToString() => string.Join(' ', [FileName, .. Arguments]);
}
