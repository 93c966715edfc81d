using Hydra.Core.Processes;

namespace Hydra.Evaluator.Tests.Inputs;

/// <summary>
/// A fake process runner that records each request (and the SSH key file as it was while git ran)
/// and answers like a git that fetched one commit, or fails every call with <see cref="FailWith"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class RecordingRunner : INixProcessRunner
{
    public const string Revision = "0123456789abcdef0123456789abcdef01234567";

    public List<NixProcessRequest> Requests { get; } = [];

    /// <summary>(path, mode, content) of the key file named in GIT_SSH_COMMAND, read during the call.</summary>
    public List<(string Path, UnixFileMode Mode, string Content)> KeyFiles { get; } = [];

    public string? FailWith { get; init; }

    public Task<int> RunAsync(NixProcessRequest request, Action<OutputLine> onLine, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        if (request.Environment.TryGetValue("GIT_SSH_COMMAND", out var ssh) && ssh.Contains(" -i '", StringComparison.Ordinal))
        {
            var path = ssh[(ssh.IndexOf(" -i '", StringComparison.Ordinal) + 5)..].TrimEnd('\'');
            KeyFiles.Add((path, File.GetUnixFileMode(path), File.ReadAllText(path)));
        }
        if (FailWith is not null)
        {
            onLine(new OutputLine(FailWith, IsStandardError: true));
            return Task.FromResult(128);
        }
        if (request.Arguments.Contains("rev-parse"))
        {
            onLine(new OutputLine(Revision, IsStandardError: false));
        }
        if (request.Arguments.Contains("rev-list"))
        {
            onLine(new OutputLine("1", IsStandardError: false));
        }
        return Task.FromResult(0);
    }
}
