namespace Hydra.Core.Protocol;

/// <summary>A worker asks for a step it can build. The server holds the request up to <see cref="WaitSeconds"/>.</summary>
public sealed record ClaimRequest(
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> Features,
    int WaitSeconds);
