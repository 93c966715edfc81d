namespace Hydra.Evaluator.Declarative;

/// <summary>What applying a spec did: jobset names created, updated, and disabled+hidden; and which to evaluate now.</summary>
public sealed record DeclarativeChanges(
    IReadOnlyList<string> Created,
    IReadOnlyList<string> Updated,
    IReadOnlyList<string> Removed,
    IReadOnlyList<string> ToTrigger);
