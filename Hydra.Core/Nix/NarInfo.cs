using System.Globalization;
using System.Text;

namespace Hydra.Core.Nix;

/// <summary>
/// A binary cache's description of one store path (<c>&lt;hash&gt;.narinfo</c>): where its NAR is,
/// how it is compressed, its hashes and sizes, its references and signatures.
/// </summary>
public sealed class NarInfo
{
    /// <summary>Full store path, e.g. <c>/nix/store/&lt;hash&gt;-hello</c>.</summary>
    public string StorePath { get; set; } = string.Empty;

    /// <summary>Location of the NAR file, relative to the cache, e.g. <c>nar/&lt;filehash&gt;.nar.xz</c>.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary><c>none</c>, <c>xz</c>, <c>zstd</c>, ...; null when the file does not say.</summary>
    public string? Compression { get; set; }

    /// <summary>Hash of the (compressed) NAR file, <c>sha256:&lt;nixbase32&gt;</c>.</summary>
    public string? FileHash { get; set; }

    /// <summary>Size of the (compressed) NAR file in bytes.</summary>
    public long? FileSize { get; set; }

    /// <summary>Hash of the uncompressed NAR, <c>sha256:&lt;nixbase32&gt;</c>.</summary>
    public string NarHash { get; set; } = string.Empty;

    /// <summary>Size of the uncompressed NAR in bytes.</summary>
    public long NarSize { get; set; }

    /// <summary>Base names (<c>hash-name</c>) of the store paths this one refers to.</summary>
    public List<string> References { get; set; } = [];

    /// <summary>Base name of the derivation that produced the path, or null.</summary>
    public string? Deriver { get; set; }

    /// <summary>The system the path was built for, when known.</summary>
    public string? System { get; set; }

    /// <summary>Content address (<c>fixed:r:sha256:...</c>, <c>text:sha256:...</c>), or null.</summary>
    public string? Ca { get; set; }

    /// <summary>Signatures, each <c>keyname:base64</c>.</summary>
    public List<string> Sigs { get; set; } = [];

    /// <summary>Parses narinfo text. Unknown keys are ignored; <c>Sig</c> may repeat.</summary>
    /// <exception cref="FormatException">A line is malformed, or StorePath, URL, NarHash or NarSize is missing or invalid.</exception>
    public static NarInfo Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var info = new NarInfo();
        var lineNumber = 0;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.IsWhiteSpace())
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new FormatException($"narinfo line {lineNumber} is not 'Key: value'.");
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim().ToString();
            switch (key)
            {
                case "StorePath": info.StorePath = value; break;
                case "URL": info.Url = value; break;
                case "Compression": info.Compression = value; break;
                case "FileHash": info.FileHash = value; break;
                case "FileSize": info.FileSize = ParseSize(value, "FileSize"); break;
                case "NarHash": info.NarHash = value; break;
                case "NarSize": info.NarSize = ParseSize(value, "NarSize"); break;
                case "References": info.References = ParseReferences(value); break;
                case "Deriver": info.Deriver = value == "unknown-deriver" ? null : CheckBaseName(value, "Deriver"); break;
                case "System": info.System = value; break;
                case "Sig": info.Sigs.Add(value); break;
                case "CA": info.Ca = value; break;
                default: break;
            }
        }

        if (!Nix.StorePath.TryParse(info.StorePath, out _))
        {
            throw new FormatException(info.StorePath.Length == 0
                ? "narinfo has no StorePath."
                : $"narinfo StorePath '{info.StorePath}' is not a store path.");
        }

        if (info.Url.Length == 0)
        {
            throw new FormatException("narinfo has no URL.");
        }

        if (info.NarHash.Length == 0)
        {
            throw new FormatException("narinfo has no NarHash.");
        }

        try
        {
            NixHash.ParseSha256(info.NarHash);
        }
        catch (FormatException e)
        {
            throw new FormatException($"narinfo NarHash: {e.Message}", e);
        }

        if (info.NarSize <= 0)
        {
            throw new FormatException("narinfo has no NarSize.");
        }

        return info;
    }

    /// <summary>Writes the narinfo in the key order Nix uses.</summary>
    public string ToText()
    {
        var text = new StringBuilder(512);
        Line(text, "StorePath", StorePath);
        Line(text, "URL", Url);
        if (Compression is not null)
        {
            Line(text, "Compression", Compression);
        }

        if (FileHash is not null)
        {
            Line(text, "FileHash", FileHash);
        }

        if (FileSize is { } fileSize)
        {
            Line(text, "FileSize", fileSize.ToString(CultureInfo.InvariantCulture));
        }

        Line(text, "NarHash", NarHash);
        Line(text, "NarSize", NarSize.ToString(CultureInfo.InvariantCulture));
        Line(text, "References", string.Join(' ', References));
        if (Deriver is not null)
        {
            Line(text, "Deriver", Deriver);
        }

        if (!string.IsNullOrEmpty(System))
        {
            Line(text, "System", System);
        }

        foreach (var sig in Sigs)
        {
            Line(text, "Sig", sig);
        }

        if (Ca is not null)
        {
            Line(text, "CA", Ca);
        }

        return text.ToString();
    }

    /// <summary>
    /// The string Nix signs: <c>1;&lt;store path&gt;;sha256:&lt;nixbase32 nar hash&gt;;&lt;nar size&gt;;&lt;full reference paths, comma-separated&gt;</c>.
    /// </summary>
    /// <exception cref="FormatException">NarHash is not a SHA-256 hash.</exception>
    public string Fingerprint()
    {
        var references = string.Join(',', References.Select(r => Nix.StorePath.StoreDir + "/" + r));
        return string.Create(CultureInfo.InvariantCulture,
            $"1;{StorePath};{NixHash.ToSha256NixBase32(NarHash)};{NarSize};{references}");
    }

    /// <summary>Signs the narinfo with <paramref name="key"/>, replacing an earlier signature by a key of the same name.</summary>
    public void SignWith(NixSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var prefix = key.Name + ":";
        Sigs.RemoveAll(s => s.StartsWith(prefix, StringComparison.Ordinal));
        Sigs.Add(key.Sign(Fingerprint()));
    }

    private static void Line(StringBuilder text, string key, string value) =>
        text.Append(key).Append(": ").Append(value).Append('\n');

    private static long ParseSize(string value, string key) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw new FormatException($"narinfo {key} '{value}' is not a size.");

    private static List<string> ParseReferences(string value)
    {
        var references = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var reference in references)
        {
            CheckBaseName(reference, "References");
        }

        return [.. references];
    }

    private static string CheckBaseName(string value, string key)
    {
        try
        {
            return Nix.StorePath.FromBaseName(value).BaseName;
        }
        catch (FormatException e)
        {
            throw new FormatException($"narinfo {key}: {e.Message}", e);
        }
    }
}
