namespace Hydra.Evaluator.Declarative;

/// <summary>One input of a <see cref="JobsetSpec"/>: <c>{"type", "value", "emailresponsible"}</c>.</summary>
public sealed record JobsetSpecInput(string Name, string Type, string Value, bool EmailResponsible);
