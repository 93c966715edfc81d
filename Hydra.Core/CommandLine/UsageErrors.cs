using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Hydra.Core.CommandLine;

/// <summary>
/// How the farm's programs (<c>hydra-server</c>, <c>hydra-builder</c>) answer a command line they cannot parse:
/// each error and the <c>--help</c> to run, on standard error, and exit code 2. System.CommandLine would print the
/// whole usage on standard output, where a command's answer goes (<c>create-worker</c>'s token is redirected into
/// a file), and exit 1, which scripts cannot tell from a failure of the command itself.
/// </summary>
public static class UsageErrors
{
    /// <summary>The exit code of a command line that was not understood.</summary>
    public const int ExitCode = 2;

    /// <summary>
    /// Reports <paramref name="result"/>'s errors to <paramref name="error"/> and returns <see cref="ExitCode"/>; null when
    /// there is nothing to report (no errors, or <c>--help</c> or <c>--version</c> asked for, which wins over them).
    /// </summary>
    public static int? Report(ParseResult result, TextWriter error) =>
        result.Errors.Count == 0 || result.Action is not ParseErrorAction
            ? null
            : Write(result, result.Errors.Select(e => e.Message), error);

    /// <summary>Reports an error a command finds in its arguments itself, the same way; returns <see cref="ExitCode"/>.</summary>
    public static int Report(ParseResult result, string message, TextWriter error) => Write(result, [message], error);

    private static int Write(ParseResult result, IEnumerable<string> messages, TextWriter error)
    {
        // "hydra-server create-user": the command's name after its parents'.
        var names = new List<string>();
        for (var command = result.CommandResult; command is not null; command = command.Parent as CommandResult)
        {
            names.Insert(0, command.Command.Name);
        }
        var path = string.Join(' ', names);
        foreach (var message in messages)
        {
            error.WriteLine($"{path}: {message}");
        }
        error.WriteLine($"Run '{path} --help' for usage.");
        return ExitCode;
    }
}
