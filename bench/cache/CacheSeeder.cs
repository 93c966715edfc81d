using System.Security.Cryptography;
using Hydra.Core.Nix;

namespace Hydra.Bench.Cache;

/// <summary>
/// A cache directory as <c>nix copy --to file://</c> lays it out: <c>nix-cache-info</c>, signed narinfos with small
/// NARs, and one large NAR for download throughput. Both servers serve this same directory.
/// </summary>
internal static class CacheSeeder
{
    public sealed record Seeded(string[] NarInfoUrls, string[] MissUrls, string BigNarUrl, long BigNarSize);

    public static async Task<Seeded> SeedAsync(string cacheDir, int paths, int bigNarMiB)
    {
        Directory.CreateDirectory(Path.Combine(cacheDir, "nar"));
        await File.WriteAllTextAsync(Path.Combine(cacheDir, "nix-cache-info"), "StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 30\n");
        var key = NixSigningKey.Generate("bench-1");
        var urls = new string[paths];
        for (var i = 0; i < paths; i++)
        {
            var hashPart = NixBase32.Encode(RandomNumberGenerator.GetBytes(20));
            var nar = RandomNumberGenerator.GetBytes(1024);
            var fileHash = NixBase32.Encode(SHA256.HashData(nar));
            await File.WriteAllBytesAsync(Path.Combine(cacheDir, "nar", fileHash + ".nar.zst"), nar);
            var info = new NarInfo
            {
                StorePath = $"/nix/store/{hashPart}-bench-path-{i}",
                Url = $"nar/{fileHash}.nar.zst",
                Compression = "zstd",
                FileHash = "sha256:" + fileHash,
                FileSize = nar.Length,
                NarHash = "sha256:" + NixBase32.Encode(RandomNumberGenerator.GetBytes(32)),
                NarSize = nar.Length * 3,
                References = [$"{hashPart}-bench-path-{i}"],
                Deriver = $"{NixBase32.Encode(RandomNumberGenerator.GetBytes(20))}-bench-path-{i}.drv",
            };
            info.SignWith(key);
            await File.WriteAllTextAsync(Path.Combine(cacheDir, hashPart + ".narinfo"), info.ToText());
            urls[i] = $"/cache/{hashPart}.narinfo";
        }

        var misses = Enumerable.Range(0, paths).Select(_ => $"/cache/{NixBase32.Encode(RandomNumberGenerator.GetBytes(20))}.narinfo").ToArray();

        // Random bytes, like an already compressed NAR; written in chunks, never held whole.
        var bigName = NixBase32.Encode(RandomNumberGenerator.GetBytes(32)) + ".nar.zst";
        await using (var big = File.Create(Path.Combine(cacheDir, "nar", bigName)))
        {
            var chunk = new byte[1 << 20];
            for (var i = 0; i < bigNarMiB; i++)
            {
                RandomNumberGenerator.Fill(chunk);
                await big.WriteAsync(chunk);
            }
        }

        return new Seeded(urls, misses, "/cache/nar/" + bigName, (long)bigNarMiB << 20);
    }
}
