namespace Hydra.Core.Protocol;

/// <summary>Renews the lease of an attempt. <see cref="Phase"/> is free text shown on the dashboard.</summary>
public sealed record HeartbeatRequest(string? Phase);
