namespace Hydra.Core.Processes;

/// <summary>One line a child process wrote, without its newline.</summary>
public readonly record struct OutputLine(string Text, bool IsStandardError);
