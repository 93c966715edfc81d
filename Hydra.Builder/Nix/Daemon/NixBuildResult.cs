namespace Hydra.Builder.Nix.Daemon;

/// <summary>How a build through the daemon ended; <see cref="ErrorMessage"/> is Nix's own, without colours.</summary>
public sealed record NixBuildResult(NixBuildStatus Status, string ErrorMessage)
{
    /// <summary>
    /// The exit code <c>nix-store --realise</c> gives for this result (what steps report, and what
    /// <see cref="Execution.ExitCodeClassifier"/> reads): 0 built; 100 plus Nix's bit mask (1 timed out, 2 hash
    /// mismatch, 4 not deterministic) for a failure of the derivation itself; 1 for everything Nix blames on the
    /// machine (a fixed-output derivation's fetch, a full disk, an input it could not substitute), as Nix's
    /// <c>Worker::exitStatus</c> does.
    /// </summary>
    public int ExitCode => Status switch
    {
        NixBuildStatus.Built or NixBuildStatus.Substituted or NixBuildStatus.AlreadyValid or NixBuildStatus.ResolvesToAlreadyValid => 0,
        NixBuildStatus.PermanentFailure or NixBuildStatus.CachedFailure => 100,
        NixBuildStatus.TimedOut => 101,
        NixBuildStatus.OutputRejected => 102,
        NixBuildStatus.NotDeterministic => 104,
        _ => 1,
    };
}
