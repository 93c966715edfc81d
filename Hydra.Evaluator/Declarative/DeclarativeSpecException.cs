namespace Hydra.Evaluator.Declarative;

/// <summary>
/// A declarative spec that cannot be applied (bad JSON, unknown fields, invalid names or values);
/// no jobset was changed. A <see cref="FormatException"/>, so the evaluation runner records the
/// message on the <c>.jobsets</c> jobset as it does for any other evaluation failure.
/// </summary>
public sealed class DeclarativeSpecException(string message) : FormatException(message);
