namespace Hydra.Evaluator.Inputs;

/// <summary>A git input at one revision, checked out into <see cref="Path"/>.</summary>
public sealed record GitCheckout(string Url, string? Branch, string Revision, string Path);
