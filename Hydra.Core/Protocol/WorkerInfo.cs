namespace Hydra.Core.Protocol;

/// <summary>
/// GET <see cref="WorkerProtocol.Info"/>: what a worker needs before claiming. The cache URL is
/// absolute; the public key is Nix's "name:base64" form, for <c>trusted-public-keys</c>.
/// </summary>
public sealed record WorkerInfo(string WorkerName, string CacheUrl, string CachePublicKey, int HeartbeatSeconds);
