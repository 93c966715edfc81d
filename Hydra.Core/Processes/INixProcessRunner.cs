namespace Hydra.Core.Processes;

/// <summary>
/// The seam around every child process the farm starts (nix, nix-store, git), so tests can substitute it.
/// </summary>
public interface INixProcessRunner
{
    /// <summary>
    /// Runs the process to completion and returns its exit code. <paramref name="onLine"/> gets stdout and
    /// stderr lines as they come; calls are serialized, never concurrent. Cancelling kills the whole process
    /// tree, waits for it to exit and then throws <see cref="OperationCanceledException"/>.
    /// Throws <see cref="NixProcessStartException"/> when the process cannot be started.
    /// </summary>
    Task<int> RunAsync(NixProcessRequest request, Action<OutputLine> onLine, CancellationToken cancellationToken);
}
