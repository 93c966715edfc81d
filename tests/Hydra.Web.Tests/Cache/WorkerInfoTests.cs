using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;

namespace Hydra.Web.Tests.Cache;

public sealed class WorkerInfoTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>
{
    [Fact]
    public async Task Worker_info_gives_the_absolute_cache_url_and_the_farm_public_key()
    {
        var token = await factory.CreateWorkerTokenAsync("info-worker");
        using var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var info = await client.GetFromJsonAsync<WorkerInfo>(WorkerProtocol.Info);

        Assert.NotNull(info);
        Assert.Equal("info-worker", info.WorkerName);
        Assert.Equal(factory.CacheUrl, info.CacheUrl);
        Assert.Equal(await factory.PublicKeyAsync(), info.CachePublicKey);
        Assert.StartsWith("hydra-1:", info.CachePublicKey, StringComparison.Ordinal);
        Assert.Equal(10, info.HeartbeatSeconds);
    }

    [Fact]
    public async Task Worker_info_without_a_token_is_401()
    {
        using var response = await factory.Client().GetAsync(WorkerProtocol.Info);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_signing_key_files_exist_once_the_server_has_started()
    {
        var keys = Path.Combine(factory.DataDir, "keys");

        var publicKey = await File.ReadAllTextAsync(Path.Combine(keys, "cache-public-key"));

        Assert.True(File.Exists(Path.Combine(keys, "cache-secret-key")));
        Assert.Equal(await factory.PublicKeyAsync(), publicKey.Trim());
        Assert.True(File.Exists(Path.Combine(factory.CacheDir, "nix-cache-info")));
    }
}
