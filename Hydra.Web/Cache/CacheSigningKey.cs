using Hydra.Core;
using Hydra.Core.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary>
/// The farm's Ed25519 narinfo signing key, loaded from <see cref="HydraOptions.SecretKeyFile"/> or created
/// there (with the public half at <see cref="HydraOptions.PublicKeyFile"/>) on first use. The evaluator
/// passes the secret key file to <c>nix copy --to file://...?secret-key=</c>, so the file must exist
/// before it runs: <see cref="CacheStartup"/> ensures it when the server starts.
/// Rotation: put a new secret key (e.g. <c>nix key generate-secret --key-name hydra-2</c>) in the key file and the old
/// public key in <see cref="CacheOptions.PreviousPublicKeys"/>; new narinfos are signed with the new key, narinfos
/// already stored keep their old signatures, and <c>/cache/public-keys</c> lists both for clients to trust.
/// </summary>
public sealed class CacheSigningKey(IOptions<HydraOptions> options, IOptions<CacheOptions> cacheOptions)
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile NixSigningKey? _key;

    /// <summary>The key, loading or creating it once. A failed load is retried on the next call.</summary>
    public async Task<NixSigningKey> GetAsync(CancellationToken cancellationToken)
    {
        if (_key is { } key)
        {
            return key;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_key is null)
            {
                var hydra = options.Value;
                _key = await NixSigningKey.LoadOrCreateAsync(
                    hydra.SecretKeyFile, hydra.PublicKeyFile, hydra.SigningKeyName, cancellationToken);
            }

            return _key;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The public keys to trust: the current key's, then <see cref="CacheOptions.PreviousPublicKeys"/>.</summary>
    public async Task<IReadOnlyList<string>> PublicKeysAsync(CancellationToken cancellationToken)
    {
        var current = (await GetAsync(cancellationToken)).PublicKeyText;
        return [current, .. cacheOptions.Value.PreviousPublicKeys.Select(k => k.Trim()).Where(k => k.Length > 0 && k != current).Distinct()];
    }

    /// <summary>Makes sure the key files exist on disk.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken) => GetAsync(cancellationToken);
}
