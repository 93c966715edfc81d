using System.Security.Cryptography;
using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Web.Cache;
using Hydra.Core.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Hydra.Testing;
using Npgsql;

namespace Hydra.Web.Tests.Cache;

/// <summary>Upload limits and the signing key, without a server (the upload records go to a real database).</summary>
public sealed class CacheUploadsTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("hydra-cache-uploads-").FullName;
    private readonly DirectoryCacheStorage _store;
    private readonly CacheSigningKey _key;
    private string _connectionString = "";
    private NpgsqlDataSource? _db;
    private CacheUploads? _cacheUploads;

    public CacheUploadsTests()
    {
        var hydra = Options.Create(new HydraOptions { DataDir = _dataDir });
        _store = new DirectoryCacheStorage(hydra, TimeProvider.System);
        _key = new CacheSigningKey(hydra, Options.Create(new CacheOptions()));
    }

    private CacheUploads Uploads => _cacheUploads!;

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        _db = NpgsqlDataSource.Create(_connectionString);
        var hydra = Options.Create(new HydraOptions { DataDir = _dataDir });
        var cache = Options.Create(new CacheOptions { MaxNarSize = 16, MaxLogSize = 8 });
        var memory = new MemoryCache(new MemoryCacheOptions());
        var recompressor = new NarRecompressor(_store, memory, _db, cache, hydra);
        _cacheUploads = new CacheUploads(_store, recompressor, new CacheNarIndex(_db, memory), _key, cache, NullLogger<CacheUploads>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _db!.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Nar_over_the_size_limit_is_413_by_content_length_or_by_counting()
    {
        var bytes = RandomNumberGenerator.GetBytes(17);
        var name = NixBase32.Encode(SHA256.HashData(bytes)) + ".nar.zst";

        var declared = await Uploads.PutNarAsync(name, new MemoryStream(bytes), bytes.Length, "w", CancellationToken.None);
        var undeclared = await Uploads.PutNarAsync(name, new MemoryStream(bytes), null, "w", CancellationToken.None);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, declared.StatusCode);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, undeclared.StatusCode);
        Assert.Empty(Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Log_over_the_size_limit_is_413()
    {
        var drv = NixBase32.Encode(RandomNumberGenerator.GetBytes(20)) + "-big.drv";

        var result = await Uploads.PutLogAsync(drv, new MemoryStream(new byte[9]), "w", CancellationToken.None);

        Assert.Equal(StatusCodes.Status413PayloadTooLarge, result.StatusCode);
        Assert.False(File.Exists(_store.PathOf("log/" + drv)));
    }

    [Fact]
    public async Task Nar_with_a_name_in_another_convention_is_stored_without_a_hash_check()
    {
        var result = await Uploads.PutNarAsync("abc-def.nar", new MemoryStream("nar"u8.ToArray()), 3, "w", CancellationToken.None);

        Assert.Equal(StatusCodes.Status204NoContent, result.StatusCode);
        Assert.Equal("nar", await File.ReadAllTextAsync(_store.PathOf("nar/abc-def.nar")));
    }

    [Fact]
    public async Task Signing_key_is_created_once_and_loaded_concurrently_as_the_same_key()
    {
        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _key.GetAsync(CancellationToken.None)));

        Assert.All(keys, k => Assert.Same(keys[0], k));
        Assert.Equal("hydra-1", keys[0].Name);
        var reloaded = await new CacheSigningKey(Options.Create(new HydraOptions { DataDir = _dataDir }), Options.Create(new CacheOptions())).GetAsync(CancellationToken.None);
        Assert.Equal(keys[0].PublicKeyText, reloaded.PublicKeyText);
    }
}
