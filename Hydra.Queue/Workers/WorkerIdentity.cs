namespace Hydra.Queue.Workers;

/// <summary>The worker a request was authenticated as.</summary>
public sealed record WorkerIdentity(long Id, string Name);
