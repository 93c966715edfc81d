namespace Hydra.Queue.Completion;

/// <summary>
/// What became of a worker's report (<see cref="Result"/>), and whether it was applied as a success
/// (<see cref="Succeeded"/>): then the same statement already counted it for its worker's health.
/// </summary>
public readonly record struct FinishOutcome(FinishResult Result, bool Succeeded);
