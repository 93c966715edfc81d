namespace Hydra.Core;

/// <summary>
/// A setting the farm cannot start without is missing or wrong. Its message says what to set; command lines print it
/// alone (no stack trace) and exit 2.
/// </summary>
public sealed class HydraConfigurationException(string message) : InvalidOperationException(message);
