using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Nix;

namespace Hydra.Web.Tests.Cache;

/// <summary>The cache protocol over plain HTTP: reads, upload checks and authentication.</summary>
public sealed class CacheHttpTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>
{
    [Fact]
    public async Task Nix_cache_info_advertises_the_store_dir_and_priority()
    {
        using var response = await factory.Client().GetAsync("/cache/nix-cache-info");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/x-nix-cache-info", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 30\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Missing_narinfo_is_404_for_get_and_head()
    {
        using var client = factory.Client();
        var url = $"/cache/{RandomHashPart()}.narinfo";

        using var get = await client.GetAsync(url);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("text/plain", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Upload_without_credentials_is_challenged_and_stores_nothing()
    {
        var (name, bytes) = Nar("no credentials");
        using var response = await factory.Client().PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Basic", challenge.Scheme);
        Assert.Contains("hydra-cache", challenge.Parameter, StringComparison.Ordinal);
        Assert.False(File.Exists(NarFile(name)));
    }

    [Fact]
    public async Task Upload_with_a_wrong_token_is_401()
    {
        await factory.CreateWorkerTokenAsync("real-worker");
        using var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = Basic("hw_not-a-real-token");
        var (name, bytes) = Nar("wrong token");

        using var response = await client.PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(File.Exists(NarFile(name)));
    }

    [Fact]
    public async Task Nar_whose_content_does_not_match_its_name_is_400_and_leaves_no_file()
    {
        using var client = await WorkerClientAsync();
        var (name, _) = Nar("the promised content");

        using var response = await client.PutAsync("/cache/nar/" + name, new ByteArrayContent("other content"u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(factory.CacheDir, "nar"), "*" + name + "*"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(factory.CacheDir, "nar"), ".*"));
    }

    [Fact]
    public async Task Narinfo_whose_nar_was_not_uploaded_is_400()
    {
        var hash = RandomHashPart();
        using var client = await WorkerClientAsync(hash);
        var (name, bytes) = Nar("never uploaded");

        using var response = await client.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, name, bytes)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("upload the NAR first", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(factory.CacheDir, hash + ".narinfo")));
    }

    [Fact]
    public async Task Narinfo_with_a_wrong_file_size_or_another_paths_hash_is_400()
    {
        var (hash, other) = (RandomHashPart(), RandomHashPart());
        using var client = await WorkerClientAsync(hash, other);
        var (name, bytes) = Nar("size check");
        (await client.PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes))).EnsureSuccessStatusCode();

        using var wrongSize = await client.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, name, bytes, bytes.Length + 1)));
        using var wrongHash = await client.PutAsync($"/cache/{other}.narinfo", new StringContent(NarInfoText(hash, name, bytes)));
        using var malformed = await client.PutAsync($"/cache/{hash}.narinfo", new StringContent("StorePath: nonsense\n"));

        Assert.Equal(HttpStatusCode.BadRequest, wrongSize.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrongHash.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("Malformed narinfo", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(factory.CacheDir, hash + ".narinfo")));
    }

    [Fact]
    public async Task Uploaded_narinfo_is_served_resigned_by_the_farm()
    {
        var hash = RandomHashPart();
        using var client = await WorkerClientAsync(hash);
        var (name, bytes) = Nar("signed");
        (await client.PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes))).EnsureSuccessStatusCode();
        var workerSignature = NixSigningKey.Generate("worker-1").Sign("anything");

        using var put = await client.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, name, bytes) + $"Sig: {workerSignature}\n"));
        using var get = await factory.Client().GetAsync($"/cache/{hash}.narinfo");

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("text/x-nix-narinfo", get.Content.Headers.ContentType?.MediaType);
        var info = NarInfo.Parse(await get.Content.ReadAsStringAsync());
        var signature = Assert.Single(info.Sigs);
        Assert.True(NixSigningKey.Verify(await factory.PublicKeyAsync(), info.Fingerprint(), signature));
    }

    [Fact]
    public async Task Only_the_outputs_of_a_step_the_worker_holds_can_be_published()
    {
        var (held, foreign) = (RandomHashPart(), RandomHashPart());
        using var client = await WorkerClientAsync(held);
        var (name, bytes) = Nar("someone else's path");
        (await client.PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes))).EnsureSuccessStatusCode();

        using var put = await client.PutAsync($"/cache/{foreign}.narinfo", new StringContent(NarInfoText(foreign, name, bytes)));

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("holds no running step with an output", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(factory.CacheDir, foreign + ".narinfo")));
        using var own = await client.PutAsync($"/cache/{held}.narinfo", new StringContent(NarInfoText(held, name, bytes)));
        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
    }

    [Fact]
    public async Task A_worker_whose_lease_expired_cannot_upload_anything()
    {
        var hash = RandomHashPart();
        var worker = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(worker);
        await factory.HoldStepAsync(worker, [StorePathOf(hash)], lease: TimeSpan.FromSeconds(-1), drvPath: $"/nix/store/{hash}-expired.drv");
        using var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = Basic(token);
        var (name, bytes) = Nar("too late");
        var before = Snapshot();

        using var nar = await client.PutAsync("/cache/nar/" + name, new ByteArrayContent(bytes));
        using var narinfo = await client.PutAsync($"/cache/{hash}.narinfo", new StringContent(NarInfoText(hash, name, bytes)));
        using var log = await client.PutAsync($"/cache/log/{hash}-expired.drv", new StringContent("too late\n"));

        Assert.Equal(HttpStatusCode.Forbidden, nar.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, narinfo.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, log.StatusCode);
        Assert.Equal(before, Snapshot());
    }

    [Theory]
    [InlineData("/cache/nar/..%2F..%2Fkeys%2Fcache-secret-key")]
    [InlineData("/cache/nar/%2e%2e")]
    [InlineData("/cache/nar/.hidden.nar")]
    [InlineData("/cache/nar/..%5Cnix-cache-info")]
    public async Task Traversal_in_nar_names_is_refused(string url)
    {
        using var client = await WorkerClientAsync();
        await factory.PublicKeyAsync();
        var before = Snapshot();

        using var get = await client.GetAsync(url);
        using var put = await client.PutAsync(url, new ByteArrayContent("overwritten"u8.ToArray()));

        Assert.InRange((int)get.StatusCode, 400, 499);
        Assert.InRange((int)put.StatusCode, 400, 499);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public async Task An_upload_cut_off_midway_is_never_visible_and_leaves_no_temporary_file()
    {
        var token = await WorkerTokenHoldingAsync();
        var bytes = RandomNumberGenerator.GetBytes(256 * 1024);
        var name = NixBase32.Encode(SHA256.HashData(bytes)) + ".nar.xz";
        var uri = new Uri(factory.BaseUrl);
        var narDirectory = Path.Combine(factory.CacheDir, "nar");
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(uri.Host, uri.Port);
            await using var stream = tcp.GetStream();
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:" + token));
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                $"PUT /cache/nar/{name} HTTP/1.1\r\nHost: {uri.Authority}\r\nAuthorization: Basic {credentials}\r\nContent-Length: {bytes.Length}\r\n\r\n"));
            await stream.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await stream.FlushAsync();

            // The server is writing the upload under a temporary name; then the client goes away.
            await EventuallyAsync(() => Directory.EnumerateFiles(narDirectory, $".{name}.*.tmp").Any());
        }

        await EventuallyAsync(() => !Directory.EnumerateFiles(narDirectory, $".{name}.*.tmp").Any());
        using var read = await factory.Client().GetAsync("/cache/nar/" + name);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.False(File.Exists(NarFile(name)));
    }

    [Fact]
    public async Task Raw_dot_segments_never_reach_outside_the_cache()
    {
        // HttpClient would normalise "..", so speak HTTP by hand.
        var uri = new Uri(factory.BaseUrl);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET /cache/nar/../../keys/cache-secret-key HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream);

        var response = await reader.ReadToEndAsync();

        Assert.Matches(@"^HTTP/1\.1 4\d\d ", response);
        Assert.DoesNotContain("hydra-1:", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_are_stored_and_served_by_derivation_name()
    {
        var drv = RandomHashPart() + "-hello.drv";
        using var client = await WorkerClientForAsync("/nix/store/" + drv);

        using var put = await client.PutAsync("/cache/log/" + drv, new StringContent("building hello\n"));
        var log = await factory.Client().GetStringAsync("/cache/log/" + drv);
        using var missing = await factory.Client().GetAsync($"/cache/log/{RandomHashPart()}-other.drv");

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.Equal("building hello\n", log);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Only_the_worker_building_a_derivation_can_upload_its_log()
    {
        var drv = RandomHashPart() + "-held.drv";
        var foreign = RandomHashPart() + "-foreign.drv";
        using var holder = await WorkerClientForAsync("/nix/store/" + drv);
        using var other = await WorkerClientAsync();
        using var first = await holder.PutAsync("/cache/log/" + drv, new StringContent("the real log\n"));
        var before = Snapshot();

        using var overwrite = await other.PutAsync("/cache/log/" + drv, new StringContent("forged\n"));
        using var elsewhere = await holder.PutAsync("/cache/log/" + foreign, new StringContent("forged\n"));

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, overwrite.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.StatusCode);
        Assert.Equal(before, Snapshot());
        Assert.Equal("the real log\n", await factory.Client().GetStringAsync("/cache/log/" + drv));
    }

    [Fact]
    public async Task Put_of_nix_cache_info_is_accepted_and_ignored()
    {
        using var client = await WorkerClientAsync();

        using var put = await client.PutAsync("/cache/nix-cache-info", new StringContent("StoreDir: /other\n"));
        var info = await factory.Client().GetStringAsync("/cache/nix-cache-info");

        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        Assert.StartsWith("StoreDir: /nix/store\n", info, StringComparison.Ordinal);
    }

    /// <summary>Waits (up to a minute, for a loaded machine) until <paramref name="condition"/> holds.</summary>
    private static async Task EventuallyAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>The token of a new worker that holds a running step (any NAR may then be uploaded).</summary>
    private async Task<string> WorkerTokenHoldingAsync()
    {
        var name = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(name);
        await factory.HoldStepAsync(name, []);
        return token;
    }

    /// <summary>A client for a new worker that holds a running step whose outputs are the paths with <paramref name="hashes"/>.</summary>
    private Task<HttpClient> WorkerClientAsync(params string[] hashes) => WorkerClientForAsync(null, hashes);

    /// <summary>As <see cref="WorkerClientAsync"/>, the held step building <paramref name="drv"/>.</summary>
    private async Task<HttpClient> WorkerClientForAsync(string? drv, params string[] hashes)
    {
        var name = $"w-{Guid.NewGuid():N}";
        var token = await factory.CreateWorkerTokenAsync(name);
        await factory.HoldStepAsync(name, [.. hashes.Select(StorePathOf)], drvPath: drv);
        var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = Basic(token);
        return client;
    }

    private static string StorePathOf(string hashPart) => $"/nix/store/{hashPart}-test";

    /// <summary>Every file under the data dir with its content, to show a request changed nothing.</summary>
    private Dictionary<string, string> Snapshot() =>
        Directory.EnumerateFiles(factory.DataDir, "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("data-protection", StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllText);

    private string NarFile(string name) => Path.Combine(factory.CacheDir, "nar", name);

    private static AuthenticationHeaderValue Basic(string token) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:" + token)));

    /// <summary>Some bytes and the name Nix would give them: the nixbase32 SHA-256 of the file.</summary>
    private static (string Name, byte[] Bytes) Nar(string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content + Guid.NewGuid());
        return (NixBase32.Encode(SHA256.HashData(bytes)) + ".nar", bytes);
    }

    private static string RandomHashPart() => NixBase32.Encode(RandomNumberGenerator.GetBytes(20));

    /// <summary>A narinfo for <paramref name="bytes"/> uploaded uncompressed as <paramref name="narName"/>.</summary>
    private static string NarInfoText(string hashPart, string narName, byte[] bytes, long? fileSize = null) =>
        $"""
        StorePath: {StorePathOf(hashPart)}
        URL: nar/{narName}
        Compression: none
        FileHash: sha256:{narName[..^4]}
        FileSize: {fileSize ?? bytes.Length}
        NarHash: sha256:{NixBase32.Encode(SHA256.HashData(bytes))}
        NarSize: {bytes.Length}
        References: 

        """;
}
