using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Nix;

namespace Hydra.Web.Tests.Cache;

/// <summary>What the cache stores and serves: NARs recompressed once at upload, HTTP ranges, logs for <c>nix log</c>, the key list.</summary>
public sealed class CacheProtocolTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>
{
    [Fact]
    public async Task Brotli_upload_is_stored_once_as_zstd_and_the_narinfo_is_rewritten_to_point_at_it()
    {
        var hash = RandomHashPart();
        using var client = await WorkerClientAsync(hash);
        var nar = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("nix archive bytes ", 500)) + Guid.NewGuid());
        var brotli = Brotli(nar);
        var uploadName = Name(brotli) + ".nar.br";

        (await client.PutAsync("/cache/nar/" + uploadName, new ByteArrayContent(brotli))).EnsureSuccessStatusCode();
        using var put = await client.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, "nar/" + uploadName, "br", brotli, nar)));
        var info = NarInfo.Parse(await factory.Client().GetStringAsync($"/cache/{hash}.narinfo"));
        var stored = await factory.Client().GetByteArrayAsync("/cache/" + info.Url);

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("zstd", info.Compression);
        Assert.EndsWith(".nar.zst", info.Url, StringComparison.Ordinal);
        Assert.Equal("sha256:" + Name(stored), info.FileHash);
        Assert.Equal(stored.Length, info.FileSize);
        Assert.Equal(nar, await ZstdDecompressAsync(stored));
        Assert.False(File.Exists(Path.Combine(factory.CacheDir, "nar", uploadName)), "the brotli upload itself is not kept");
        Assert.True(NixSigningKey.Verify(await factory.PublicKeyAsync(), info.Fingerprint(), Assert.Single(info.Sigs)));
    }

    [Fact]
    public async Task Narinfo_whose_nar_hash_or_size_differs_from_the_uploaded_nar_is_400()
    {
        var hash = RandomHashPart();
        using var client = await WorkerClientAsync(hash);
        var nar = Encoding.UTF8.GetBytes("the real nar " + Guid.NewGuid());
        var uploadName = Name(nar) + ".nar";
        (await client.PutAsync("/cache/nar/" + uploadName, new ByteArrayContent(nar))).EnsureSuccessStatusCode();

        var claimed = Encoding.UTF8.GetBytes("another nar " + Guid.NewGuid());
        using var wrongHash = await client.PutAsync($"/cache/{hash}.narinfo",
            new StringContent(NarInfoText(hash, "nar/" + uploadName, "none", nar, claimed)));

        Assert.Equal(HttpStatusCode.BadRequest, wrongHash.StatusCode);
        Assert.Contains("decompresses to", await wrongHash.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(factory.CacheDir, hash + ".narinfo")));
    }

    [Fact]
    public async Task Nar_serves_partial_suffix_and_open_ranges_and_refuses_unsatisfiable_ones()
    {
        var bytes = RandomNumberGenerator.GetBytes(1000);
        var name = Name(bytes) + ".nar.xz";
        Directory.CreateDirectory(Path.Combine(factory.CacheDir, "nar"));
        await File.WriteAllBytesAsync(Path.Combine(factory.CacheDir, "nar", name), bytes);
        using var client = factory.Client();

        using var middle = await GetRangeAsync(client, name, "bytes=2-5");
        using var suffix = await GetRangeAsync(client, name, "bytes=-10");
        using var open = await GetRangeAsync(client, name, "bytes=990-");
        using var beyond = await GetRangeAsync(client, name, "bytes=5000-6000");
        using var malformed = await GetRangeAsync(client, name, "bytes=abc");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/cache/nar/" + name));

        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(bytes[2..6], await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal("bytes 2-5/1000", middle.Content.Headers.ContentRange?.ToString());
        Assert.Equal(bytes[^10..], await suffix.Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes[990..], await open.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */1000", beyond.Content.Headers.ContentRange?.ToString());
        Assert.Equal(HttpStatusCode.OK, malformed.StatusCode);
        Assert.Equal(bytes, await malformed.Content.ReadAsByteArrayAsync());
        Assert.Equal(1000, head.Content.Headers.ContentLength);
        Assert.Equal("bytes", string.Join(',', head.Headers.AcceptRanges));
        Assert.Equal("application/x-nix-nar", head.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Misses_are_404_for_narinfos_nars_and_logs()
    {
        using var client = factory.Client();

        using var narinfo = await client.GetAsync($"/cache/{RandomHashPart()}.narinfo");
        using var nar = await client.GetAsync($"/cache/nar/{RandomHashPart()}.nar.zst");
        using var log = await client.GetAsync($"/cache/log/{RandomHashPart()}-x.drv");
        using var notAHash = await client.GetAsync("/cache/not-a-hash.narinfo");

        Assert.Equal(HttpStatusCode.NotFound, narinfo.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, nar.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, log.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notAHash.StatusCode);
    }

    [Fact]
    public async Task Nix_log_reads_a_build_log_uploaded_to_the_cache()
    {
        var output = await NixCli.BuildTinyPathAsync();
        var drv = (await NixCli.RunAsync("nix-store", ["--query", "--deriver", output])).Stdout;
        using var client = await WorkerClientForAsync(drv);
        (await client.PutAsync("/cache/log/" + Path.GetFileName(drv), new StringContent("compiling the tiny path\n"))).EnsureSuccessStatusCode();

        // nix log finds the derivation through the output's narinfo (its Deriver), so the output must be in the cache.
        var push = await NixCli.RunAsync("nix", ["copy", "--to", "file://" + factory.CacheDir, output]);
        Assert.True(push.ExitCode == 0, "nix copy of the output failed: " + push.Stderr);

        var log = await NixCli.RunAsync("nix", ["log", "--store", factory.CacheUrl, output]);

        Assert.True(log.ExitCode == 0, "nix log failed: " + log.Stderr);
        Assert.Equal("compiling the tiny path", log.Stdout);
    }

    [Fact]
    public async Task Public_keys_lists_the_current_key()
    {
        var keys = await factory.Client().GetStringAsync("/cache/public-keys");

        Assert.Equal(await factory.PublicKeyAsync() + "\n", keys);
    }

    private static async Task<HttpResponseMessage> GetRangeAsync(HttpClient client, string name, string range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/cache/nar/" + name);
        request.Headers.TryAddWithoutValidation("Range", range);
        return await client.SendAsync(request);
    }

    private Task<HttpClient> WorkerClientAsync(params string[] hashes) => WorkerClientForAsync(null, hashes);

    /// <summary>A worker holding a step that builds <paramref name="drv"/> with outputs of <paramref name="hashes"/>.</summary>
    private async Task<HttpClient> WorkerClientForAsync(string? drv, params string[] hashes)
    {
        var name = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(name);
        await factory.HoldStepAsync(name, [.. hashes.Select(h => $"/nix/store/{h}-test")], drvPath: drv);
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:" + token)));
        return client;
    }

    internal static string NarInfoText(string hashPart, string url, string compression, byte[] file, byte[] nar) =>
        $"""
        StorePath: /nix/store/{hashPart}-test
        URL: {url}
        Compression: {compression}
        FileHash: sha256:{Name(file)}
        FileSize: {file.Length}
        NarHash: sha256:{Name(nar)}
        NarSize: {nar.Length}
        References: 

        """;

    internal static string Name(byte[] bytes) => NixBase32.Encode(SHA256.HashData(bytes));

    internal static string RandomHashPart() => NixBase32.Encode(RandomNumberGenerator.GetBytes(20));

    internal static byte[] Brotli(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.Fastest))
        {
            brotli.Write(bytes);
        }

        return buffer.ToArray();
    }

    internal static async Task<byte[]> ZstdDecompressAsync(byte[] compressed)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, compressed);
            var result = await NixCli.RunAsync("zstd", ["-d", "-c", "-q", file]);
            Assert.Equal(0, result.ExitCode);
            return Encoding.UTF8.GetBytes(result.Stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
