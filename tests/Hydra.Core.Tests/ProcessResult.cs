namespace Hydra.Core.Tests;

/// <summary>What a finished process printed and returned.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with the process's output when it did not exit 0.</summary>
    public ProcessResult EnsureSuccess(string what) =>
        ExitCode == 0
            ? this
            : throw new InvalidOperationException($"{what} exited {ExitCode}:\n{StandardError}\n{StandardOutput}");
}
