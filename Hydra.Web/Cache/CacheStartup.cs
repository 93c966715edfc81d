namespace Hydra.Web.Cache;

/// <summary>
/// At start, creates the signing key (other processes, such as the evaluator's <c>nix copy</c>, read
/// the key file directly) and the cache directory layout.
/// </summary>
public sealed class CacheStartup(CacheSigningKey signingKey, CacheStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await signingKey.EnsureAsync(cancellationToken);
        await store.EnsureLayoutAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
