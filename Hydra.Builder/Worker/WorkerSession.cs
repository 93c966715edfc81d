using Hydra.Core.Protocol;

namespace Hydra.Builder.Worker;

/// <summary>What the worker learned at start: the server's info and where the upload credentials are.</summary>
public sealed record WorkerSession(WorkerInfo Info, string NetrcPath);
