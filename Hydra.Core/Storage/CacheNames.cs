using System.Diagnostics.CodeAnalysis;
using Hydra.Core.Nix;

namespace Hydra.Core.Storage;

/// <summary>
/// Which names the cache accepts. Every file name that reaches the disk passes through here, so the
/// rules are allow-lists: no separators, no '%', no leading dot (temporary files start with one).
/// </summary>
public static class CacheNames
{
    private const int MaxFileNameLength = 200;
    private const string NarDirectory = "nar/";

    /// <summary>Length of a SHA-256 in Nix base32, as in Nix's NAR file names.</summary>
    public static readonly int Sha256NixBase32Length = NixBase32.EncodedLength(32);

    /// <summary>A store path hash part: 32 Nix base32 characters.</summary>
    public static bool IsHashPart([NotNullWhen(true)] string? hash) =>
        hash is { Length: StorePath.HashLength } && hash.All(NixBase32.IsValidChar);

    /// <summary>A plain file name: letters, digits and <c>._+-</c>, not starting with a dot, no <c>..</c>.</summary>
    public static bool IsFileName([NotNullWhen(true)] string? name) =>
        name is { Length: > 0 and <= MaxFileNameLength }
        && name[0] != '.'
        && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '+' or '-');

    /// <summary>A log name: the base name of a derivation, <c>&lt;hash&gt;-&lt;name&gt;.drv</c>.</summary>
    public static bool IsLogName([NotNullWhen(true)] string? name)
    {
        if (name is null || !name.EndsWith(".drv", StringComparison.Ordinal) || name[0] == '.' || name.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            return StorePath.FromBaseName(name).BaseName == name;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The NAR file name in a narinfo URL, which must be <c>nar/&lt;file name&gt;</c>.</summary>
    public static bool TryGetNarFileName(string url, [NotNullWhen(true)] out string? fileName)
    {
        fileName = url.StartsWith(NarDirectory, StringComparison.Ordinal) ? url[NarDirectory.Length..] : null;
        if (!IsFileName(fileName))
        {
            fileName = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// The file hash a NAR file name promises, when it follows Nix's own convention
    /// <c>&lt;nixbase32 sha256 of the file&gt;.nar[.ext]</c>; null for other conventions.
    /// </summary>
    public static string? FileHashFromNarName(string fileName)
    {
        var dot = fileName.IndexOf('.', StringComparison.Ordinal);
        var extension = fileName.AsSpan(dot);
        if (dot != Sha256NixBase32Length || !(extension is ".nar" || extension.StartsWith(".nar.", StringComparison.Ordinal)))
        {
            return null;
        }

        var hash = fileName[..dot];
        return hash.All(NixBase32.IsValidChar) ? hash : null;
    }
}
