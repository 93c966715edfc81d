using Hydra.Queue.Workers;
using Microsoft.Extensions.Caching.Memory;

namespace Hydra.Web.Cache;

/// <summary>
/// Worker tokens as global cache read tokens: a builder substitutes the inputs of its steps (a private project's, or
/// anything in a <see cref="CacheOptions.Private"/> cache) with its own token from a netrc file.
/// </summary>
/// <remarks>
/// The check is <see cref="WorkerTokens.AuthenticateAsync"/> (tokens are stored hashed); an enabled worker reads, a
/// disabled one does not. A quarantined worker still reads: quarantine is about failing steps, not trust, and it gets
/// no new steps anyway. The answer, yes or no, is remembered for <see cref="RememberFor"/> under the token's SHA-256
/// (never the token), so a narinfo costs a hash and a memory look-up; a worker disabled meanwhile keeps reading until
/// then.
/// </remarks>
public sealed class CacheWorkerReaders(WorkerTokens tokens, IMemoryCache memory, TimeProvider clock)
{
    /// <summary>How long an answer is kept: how long a disabled worker (or a rotated token) may still read.</summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(1);

    /// <summary>Whether <paramref name="token"/> belongs to an enabled worker.</summary>
    public async Task<bool> IsReaderAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        var key = "hydra:cache-worker-reader:" + WorkerTokens.Hash(token);
        var now = clock.GetUtcNow();
        // The clock decides freshness (tests move it); the memory cache's own expiry only evicts.
        if (memory.TryGetValue(key, out (bool Reads, DateTimeOffset ReadAt) cached) && now >= cached.ReadAt && now - cached.ReadAt < RememberFor)
        {
            return cached.Reads;
        }

        var worker = await tokens.AuthenticateAsync(token, cancellationToken);
        var reads = worker is { Enabled: true };
        memory.Set(key, (reads, now), RememberFor);
        return reads;
    }
}
