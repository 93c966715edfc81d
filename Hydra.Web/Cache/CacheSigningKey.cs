using Hydra.Core;
using Hydra.Core.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary>
/// The farm's Ed25519 narinfo signing key, loaded from <see cref="HydraOptions.SecretKeyFile"/> or created
/// there (with the public half at <see cref="HydraOptions.PublicKeyFile"/>) on first use. The evaluator
/// passes the secret key file to <c>nix copy --to file://...?secret-key=</c>, so the file must exist
/// before it runs: <see cref="CacheStartup"/> ensures it when the server starts.
/// </summary>
public sealed class CacheSigningKey(IOptions<HydraOptions> options)
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

    /// <summary>Makes sure the key files exist on disk.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken) => GetAsync(cancellationToken);
}
