namespace Hydra.Evaluator.Inputs;

/// <summary>
/// A git input at one revision, checked out into <see cref="Path"/>. <see cref="RevCount"/> is the
/// number of commits reachable from the revision (Hydra's <c>revCount</c>).
/// </summary>
public sealed record GitCheckout(string Url, string? Branch, string Revision, string Path, int RevCount);
