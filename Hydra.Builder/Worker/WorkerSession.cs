using Hydra.Core.Protocol;

namespace Hydra.Builder.Worker;

/// <summary>
/// What the worker learned and prepared at start: the server's info, the build hook Nix runs
/// (<see cref="Nix.DeclineBuildHook"/>) and the netrc its daemons read the cache with (<see cref="Nix.Daemon.DaemonNetrc"/>).
/// </summary>
public sealed record WorkerSession(WorkerInfo Info, string BuildHookPath, string? NetrcPath = null);
