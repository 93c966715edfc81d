using System.Globalization;
using System.Text;
using Hydra.Core.Nix;
using Hydra.Core.Storage;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Cache;

/// <summary>
/// At start, creates the signing key (other processes, such as the evaluator's <c>nix copy</c>, read
/// the key file directly) and the cache's layout, with a <c>nix-cache-info</c> so the storage is a valid cache for Nix too.
/// </summary>
public sealed class CacheStartup(CacheSigningKey signingKey, ICacheStorage storage, IOptions<CacheOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await signingKey.EnsureAsync(cancellationToken);
        if (storage is DirectoryCacheStorage directory)
        {
            directory.EnsureLayout();
        }

        if (await storage.LengthAsync("nix-cache-info", cancellationToken) is null)
        {
            var info = string.Create(CultureInfo.InvariantCulture,
                $"StoreDir: {StorePath.StoreDir}\nWantMassQuery: 1\nPriority: {options.Value.Priority}\n");
            using var text = new MemoryStream(Encoding.UTF8.GetBytes(info));
            await storage.WriteAsync("nix-cache-info", text, long.MaxValue, null, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
