namespace Hydra.Queue.Operations;

/// <summary>What a cancel did: builds finished as cancelled, steps cancelled with them, and how many of those were running.</summary>
public sealed record CancelResult(int Builds, int Steps, int RunningSteps);
