namespace Hydra.Core.Protocol;

/// <summary>
/// GET <see cref="WorkerProtocol.Info"/>: what a worker needs before claiming. The cache URL is
/// absolute; the public key is Nix's "name:base64" form, for <c>trusted-public-keys</c>.
/// </summary>
/// <param name="FinishTakesLog">
/// The server appends <see cref="FinishRequest.Log"/> to the step's log before it records the result, so a worker
/// may send its last log batch with the report instead of on its own (one request less per step). Servers before
/// this field existed ignore <see cref="FinishRequest.Log"/>; the worker then posts every batch itself.
/// </param>
public sealed record WorkerInfo(string WorkerName, string CacheUrl, string CachePublicKey, int HeartbeatSeconds, bool FinishTakesLog = false);
