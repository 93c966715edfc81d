namespace Hydra.Core.Protocol;

/// <summary>Answer to a heartbeat: the new lease end. A cancelled step says <see cref="Cancel"/>.</summary>
public sealed record HeartbeatResponse(DateTimeOffset LeaseExpiresAt, bool Cancel);
