namespace Hydra.Core.Protocol;

/// <summary>An output the worker built and pushed to the cache.</summary>
public sealed record StepOutputInfo(string Name, string Path, string? NarHash, long? NarSize);
