using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Hydra.Core.Nix;

/// <summary>
/// An Ed25519 binary cache signing key in Nix's format, interchangeable with
/// <c>nix-store --generate-binary-cache-key</c>: the secret key is <c>name:base64(seed ‖ public key)</c>
/// and the public key <c>name:base64(public key)</c>. Signatures are <c>name:base64(signature)</c>.
/// </summary>
public sealed class NixSigningKey
{
    private const int SeedLength = 32;
    private const int PublicKeyLength = 32;
    private const int SignatureLength = 64;

    private readonly Ed25519PrivateKeyParameters _privateKey;
    private readonly byte[] _publicKey;

    private NixSigningKey(string name, Ed25519PrivateKeyParameters privateKey)
    {
        Name = name;
        _privateKey = privateKey;
        _publicKey = privateKey.GeneratePublicKey().GetEncoded();
    }

    /// <summary>The key's name, e.g. <c>hydra-1</c>; it prefixes every signature.</summary>
    public string Name { get; }

    /// <summary>The secret key in Nix's text form. Keep it out of logs.</summary>
    public string SecretKeyText =>
        Name + ":" + Convert.ToBase64String([.. _privateKey.GetEncoded(), .. _publicKey]);

    /// <summary>The public key in Nix's text form, for <c>trusted-public-keys</c>.</summary>
    public string PublicKeyText => Name + ":" + Convert.ToBase64String(_publicKey);

    /// <summary>Creates a fresh random key.</summary>
    public static NixSigningKey Generate(string name)
    {
        CheckName(name);
        var seed = RandomNumberGenerator.GetBytes(SeedLength);
        return new NixSigningKey(name, new Ed25519PrivateKeyParameters(seed, 0));
    }

    /// <summary>Parses a secret key in Nix's text form; surrounding whitespace is ignored.</summary>
    /// <exception cref="FormatException">The text is not a Nix Ed25519 secret key.</exception>
    public static NixSigningKey Parse(string secretKeyText)
    {
        ArgumentNullException.ThrowIfNull(secretKeyText);
        var (name, bytes) = SplitNamed(secretKeyText.Trim(), "secret key");
        if (bytes is not { Length: SeedLength + PublicKeyLength })
        {
            throw new FormatException($"Secret key '{name}' is not 64 bytes of base64.");
        }

        var key = new NixSigningKey(name, new Ed25519PrivateKeyParameters(bytes, 0));

        // The second half is the public key; a mismatch means a corrupt or hand-edited file.
        if (!key._publicKey.AsSpan().SequenceEqual(bytes.AsSpan(SeedLength)))
        {
            throw new FormatException($"Secret key '{name}' has a public half that does not match its seed.");
        }

        return key;
    }

    /// <summary>Reads a secret key file.</summary>
    public static async Task<NixSigningKey> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text);
    }

    /// <summary>
    /// Loads the secret key at <paramref name="secretKeyPath"/>, or creates one named
    /// <paramref name="name"/> there (mode 0600) when there is none. Writes the public key file
    /// when it is missing or holds another key. An existing secret key keeps its own name.
    /// </summary>
    public static async Task<NixSigningKey> LoadOrCreateAsync(
        string secretKeyPath, string publicKeyPath, string name, CancellationToken cancellationToken)
    {
        CheckName(name);
        NixSigningKey key;
        if (File.Exists(secretKeyPath))
        {
            key = await LoadAsync(secretKeyPath, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            key = Generate(name);
            await WriteSecretKeyAsync(secretKeyPath, key, cancellationToken).ConfigureAwait(false);

            // Another process may have won the race; its key is the one on disk.
            key = await LoadAsync(secretKeyPath, cancellationToken).ConfigureAwait(false);
        }

        if (!File.Exists(publicKeyPath) ||
            (await File.ReadAllTextAsync(publicKeyPath, cancellationToken).ConfigureAwait(false)).Trim() != key.PublicKeyText)
        {
            CreateParentDirectory(publicKeyPath);
            await File.WriteAllTextAsync(publicKeyPath, key.PublicKeyText, cancellationToken).ConfigureAwait(false);
        }

        return key;
    }

    /// <summary>Signs a fingerprint (see <see cref="NarInfo.Fingerprint"/>), returning <c>name:base64(signature)</c>.</summary>
    public string Sign(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var message = Encoding.UTF8.GetBytes(fingerprint);
        var signer = new Ed25519Signer();
        signer.Init(true, _privateKey);
        signer.BlockUpdate(message, 0, message.Length);
        return Name + ":" + Convert.ToBase64String(signer.GenerateSignature());
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is a valid signature of <paramref name="fingerprint"/> by the
    /// key <paramref name="publicKeyText"/>. A signature by a key of another name, or a malformed one, is not valid.
    /// </summary>
    /// <exception cref="FormatException">The public key is malformed.</exception>
    public static bool Verify(string publicKeyText, string fingerprint, string signature)
    {
        ArgumentNullException.ThrowIfNull(publicKeyText);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var (keyName, publicKey) = SplitNamed(publicKeyText.Trim(), "public key");
        if (publicKey is not { Length: PublicKeyLength })
        {
            throw new FormatException($"Public key '{keyName}' is not 32 bytes of base64.");
        }

        if (signature is null)
        {
            return false;
        }

        var colon = signature.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !signature.AsSpan(0, colon).SequenceEqual(keyName))
        {
            return false;
        }

        var signatureBytes = new byte[SignatureLength + 2];
        if (!Convert.TryFromBase64String(signature[(colon + 1)..], signatureBytes, out var written) || written != SignatureLength)
        {
            return false;
        }

        var message = Encoding.UTF8.GetBytes(fingerprint);
        var verifier = new Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(publicKey, 0));
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signatureBytes[..SignatureLength]);
    }

    private static async Task WriteSecretKeyAsync(string path, NixSigningKey key, CancellationToken cancellationToken)
    {
        CreateParentDirectory(path);

        // Write beside the target and move into place without overwriting, so a reader never
        // sees a half-written key and two processes starting together agree on one key.
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await File.WriteAllTextAsync(temporary, key.SecretKeyText, cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Lost the race: keep the other key.
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void CreateParentDirectory(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    private static (string Name, byte[]? Bytes) SplitNamed(string text, string what)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new FormatException($"A Nix {what} is 'name:base64'; got no name.");
        }

        var name = text[..colon];
        var buffer = new byte[(text.Length - colon) * 3 / 4 + 3];
        return Convert.TryFromBase64String(text[(colon + 1)..], buffer, out var written)
            ? (name, buffer[..written])
            : (name, null);
    }

    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"Key name '{name}' must not contain ':' or whitespace.", nameof(name));
        }
    }
}
