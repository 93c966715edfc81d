using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hydra.Core.Nix;
using static Hydra.Web.Tests.Cache.CacheProtocolTests;

namespace Hydra.Web.Tests.Cache;

/// <summary>
/// What the cache recompressed at upload is recorded in the database: a server started after the NAR upload (a
/// restart, or another web process) checks and rewrites the narinfo as the first would have, never points it at a
/// file that is gone, and does not recompress the same upload twice.
/// </summary>
public sealed class RecompressionRestartTests : IAsyncLifetime
{
    private readonly CacheServerFactory _first = new();
    private CacheServerFactory? _restarted;

    public async Task InitializeAsync()
    {
        await _first.InitializeAsync();
        _restarted = _first.Restarted();
        await _restarted.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await ((IAsyncLifetime)_restarted!).DisposeAsync();
        await ((IAsyncLifetime)_first).DisposeAsync();
    }

    [Fact]
    public async Task A_narinfo_uploaded_after_a_restart_is_checked_against_the_recorded_recompression_and_points_at_the_stored_file()
    {
        var (hash, token, nar, brotli, uploadName) = await UploadToTheFirstServerAsync();

        using var after = WorkerClient(_restarted!, token);
        var otherNar = Encoding.UTF8.GetBytes("not what was uploaded");
        using var wrong = await after.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, "nar/" + uploadName, "br", brotli, otherNar)));
        using var right = await after.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, "nar/" + uploadName, "br", brotli, nar)));
        var info = NarInfo.Parse(await _restarted!.Client().GetStringAsync($"/cache/{hash}.narinfo"));
        var stored = await _restarted.Client().GetByteArrayAsync("/cache/" + info.Url);

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("decompresses to", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        Assert.Equal("zstd", info.Compression);
        Assert.Equal("sha256:" + Name(stored), info.FileHash);
        Assert.Equal(nar, await ZstdDecompressAsync(stored));
    }

    [Fact]
    public async Task The_same_upload_after_a_restart_is_not_recompressed_again_unless_its_stored_file_is_gone()
    {
        var (hash, token, nar, brotli, uploadName) = await UploadToTheFirstServerAsync();

        var storedFile = await StoredFileOfAsync(nar);
        var marked = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(storedFile, marked);

        using var after = WorkerClient(_restarted!, token);
        using var again = await after.PutAsync("/cache/nar/" + uploadName, new ByteArrayContent(brotli));
        var untouched = File.GetLastWriteTimeUtc(storedFile);
        using var forged = await after.PutAsync("/cache/nar/" + uploadName, new ByteArrayContent([.. brotli, 0]));

        // Garbage collection deleted the stored file: the narinfo is refused rather than left dangling, and a new
        // upload recompresses it again.
        File.Delete(storedFile);
        using var dangling = await after.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, "nar/" + uploadName, "br", brotli, nar)));
        using var reupload = await after.PutAsync("/cache/nar/" + uploadName, new ByteArrayContent(brotli));
        using var narinfo = await after.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, "nar/" + uploadName, "br", brotli, nar)));

        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(marked, untouched);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, dangling.StatusCode);
        Assert.Contains("upload the NAR first", await dangling.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, reupload.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, narinfo.StatusCode);
        Assert.True(File.Exists(storedFile));
        Assert.Equal(nar, await ZstdDecompressAsync(await _restarted!.Client().GetByteArrayAsync("/cache/nar/" + Path.GetFileName(storedFile))));
    }

    /// <summary>
    /// A new NAR uploaded in brotli to the first server by a worker holding a step with the output of hash
    /// <c>Hash</c> (its token works on both servers).
    /// </summary>
    private async Task<(string Hash, string Token, byte[] Nar, byte[] Brotli, string UploadName)> UploadToTheFirstServerAsync()
    {
        var hash = RandomHashPart();
        var worker = $"w-{Guid.NewGuid():N}";
        var token = await _first.CreateWorkerTokenAsync(worker);
        await _first.HoldStepAsync(worker, [$"/nix/store/{hash}-test"]);
        var nar = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("nix archive bytes ", 500)) + Guid.NewGuid());
        var brotli = Brotli(nar);
        var uploadName = Name(brotli) + ".nar.br";
        using var client = WorkerClient(_first, token);
        (await client.PutAsync("/cache/nar/" + uploadName, new ByteArrayContent(brotli))).EnsureSuccessStatusCode();
        return (hash, token, nar, brotli, uploadName);
    }

    /// <summary>The zstd file in the cache that decompresses to <paramref name="nar"/>.</summary>
    private async Task<string> StoredFileOfAsync(byte[] nar)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(_first.CacheDir, "nar"), "*.nar.zst"))
        {
            if ((await ZstdDecompressAsync(await File.ReadAllBytesAsync(file))).AsSpan().SequenceEqual(nar))
            {
                return file;
            }
        }

        throw new InvalidOperationException("No stored zstd file holds the NAR.");
    }

    private static HttpClient WorkerClient(CacheServerFactory server, string token)
    {
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:" + token)));
        return client;
    }
}
