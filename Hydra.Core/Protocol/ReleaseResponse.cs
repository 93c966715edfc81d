namespace Hydra.Core.Protocol;

/// <summary>Answer to <see cref="WorkerProtocol.Release"/>: how many attempts of a previous run were given back.</summary>
public sealed record ReleaseResponse(int Released);
