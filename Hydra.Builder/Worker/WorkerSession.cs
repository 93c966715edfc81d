using Hydra.Core.Protocol;

namespace Hydra.Builder.Worker;

/// <summary>
/// What the worker learned and prepared at start: the server's info and the build hook Nix runs
/// (<see cref="Nix.DeclineBuildHook"/>).
/// </summary>
public sealed record WorkerSession(WorkerInfo Info, string BuildHookPath);
