using Hydra.Core.Protocol;

namespace Hydra.Builder.Execution;

/// <summary>Maps the exit code of <c>nix-store --realise</c> to an outcome.</summary>
public static class ExitCodeClassifier
{
    /// <summary>
    /// 0 built. 100..115 is Nix's build-failure status, 100 plus a bit mask (1 timed out, 2 hash mismatch,
    /// 4 not deterministic, 8 other): the derivation's fault, so permanent. Anything else (1, signals, a missing
    /// binary) is the machine's fault and is retried elsewhere.
    /// </summary>
    public static StepOutcome Classify(int exitCode) => exitCode switch
    {
        0 => StepOutcome.Succeeded,
        >= 100 and <= 115 when ((exitCode - 100) & 1) != 0 => StepOutcome.TimedOut,
        >= 100 and <= 115 => StepOutcome.Failed,
        _ => StepOutcome.Aborted,
    };
}
