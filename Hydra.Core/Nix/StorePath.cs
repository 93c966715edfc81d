using System.Diagnostics.CodeAnalysis;

namespace Hydra.Core.Nix;

/// <summary>
/// A path in the Nix store, <c>/nix/store/&lt;hash&gt;-&lt;name&gt;</c>, where the hash is 32
/// characters of Nix base32 and the name follows Nix's rules (letters, digits and <c>+-._?=</c>,
/// not starting with a dot, at most 211 characters).
/// </summary>
public sealed record StorePath
{
    /// <summary>The store directory this farm works with.</summary>
    public const string StoreDir = "/nix/store";

    /// <summary>Length of the hash part of a store path.</summary>
    public const int HashLength = 32;

    private const int MaxNameLength = 211;
    private const string Prefix = StoreDir + "/";

    private StorePath(string hashPart, string name)
    {
        HashPart = hashPart;
        Name = name;
    }

    /// <summary>The 32-character Nix base32 hash, which is also the narinfo file's name.</summary>
    public string HashPart { get; }

    /// <summary>The part after the hash and dash, e.g. <c>hello-2.12.drv</c>.</summary>
    public string Name { get; }

    /// <summary><c>hash-name</c>, the form narinfo references and derivers use.</summary>
    public string BaseName => HashPart + "-" + Name;

    /// <summary><c>/nix/store/hash-name</c>.</summary>
    public string FullPath => Prefix + BaseName;

    /// <summary>Parses a full store path.</summary>
    /// <exception cref="FormatException">It is not a well-formed path directly under <see cref="StoreDir"/>.</exception>
    public static StorePath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Create(path, out var error) ?? throw new FormatException($"'{path}' is not a valid store path: {error}.");
    }

    /// <summary>Parses a full store path, returning false when it is not one.</summary>
    public static bool TryParse([NotNullWhen(true)] string? path, [NotNullWhen(true)] out StorePath? result)
    {
        result = path is null ? null : Create(path, out _);
        return result is not null;
    }

    /// <summary>Builds a store path from its base name, <c>hash-name</c>.</summary>
    /// <exception cref="FormatException">The base name is malformed.</exception>
    public static StorePath FromBaseName(string baseName)
    {
        ArgumentNullException.ThrowIfNull(baseName);
        return FromBaseName(baseName.AsSpan(), out var error)
            ?? throw new FormatException($"'{baseName}' is not a valid store path base name: {error}.");
    }

    /// <inheritdoc />
    public override string ToString() => FullPath;

    private static StorePath? Create(string path, out string error)
    {
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"it does not start with {Prefix}";
            return null;
        }

        return FromBaseName(path.AsSpan(Prefix.Length), out error);
    }

    private static StorePath? FromBaseName(ReadOnlySpan<char> baseName, out string error)
    {
        if (baseName.Length < HashLength + 2 || baseName[HashLength] != '-')
        {
            error = "expected a 32-character hash, a dash and a name";
            return null;
        }

        var hash = baseName[..HashLength];
        foreach (var c in hash)
        {
            if (!NixBase32.IsValidChar(c))
            {
                error = $"the hash has an invalid character '{c}'";
                return null;
            }
        }

        var name = baseName[(HashLength + 1)..];
        if (name.Length > MaxNameLength)
        {
            error = "the name is longer than 211 characters";
            return null;
        }

        if (name[0] == '.')
        {
            error = "the name starts with a dot";
            return null;
        }

        foreach (var c in name)
        {
            if (!IsNameChar(c))
            {
                error = $"the name has an invalid character '{c}'";
                return null;
            }
        }

        error = string.Empty;
        return new StorePath(hash.ToString(), name.ToString());
    }

    private static bool IsNameChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.' or '_' or '?' or '=';
}
