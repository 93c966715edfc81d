namespace Hydra.Core.Processes;

/// <summary>The process could not be started at all (missing binary, permissions): an infrastructure failure.</summary>
public sealed class NixProcessStartException(string command, Exception inner)
    : Exception($"Could not start '{command}': {inner.Message}", inner);
