using System.Text;
using Hydra.Queue;
using Hydra.Queue.Workers;
using Hydra.Testing;
using Hydra.Web.Cache;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Web.Tests.Cache;

/// <summary>Worker tokens read a private cache like global read tokens, until their worker is disabled (real database, a clock moved by hand).</summary>
public sealed class CacheWorkerReadersTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new();
    private string _connectionString = "";
    private NpgsqlDataSource? _db;
    private WorkerTokens? _tokens;
    private CacheReadAccess? _access;

    public async Task InitializeAsync()
    {
        _connectionString = await TestDatabase.CreateAsync();
        _db = NpgsqlDataSource.Create(_connectionString);
        var memory = new MemoryCache(new MemoryCacheOptions());
        _tokens = new WorkerTokens(_db, Options.Create(new QueueOptions()), _clock);
        _access = new CacheReadAccess(
            Options.Create(new CacheOptions { Private = true, ReadTokens = ["global-token"] }), _db, memory,
            new CacheNarIndex(_db, memory), new CacheWorkerReaders(_tokens, memory, _clock));
    }

    public async Task DisposeAsync()
    {
        await _db!.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
    }

    [Fact]
    public async Task A_workers_token_reads_a_private_cache_as_basic_password_or_bearer_and_a_bogus_one_does_not()
    {
        var token = await _tokens!.CreateOrRotateAsync("builder", CancellationToken.None);

        Assert.True(await MayReadAsync("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:" + token))));
        Assert.True(await MayReadAsync("Bearer " + token));
        Assert.True(await MayReadAsync("Bearer global-token"));
        Assert.False(await MayReadAsync("Bearer hw_bogus"));
        Assert.False(await MayReadAsync(null));
    }

    [Fact]
    public async Task A_disabled_worker_stops_reading_once_the_remembered_answer_is_a_minute_old()
    {
        var token = await _tokens!.CreateOrRotateAsync("builder", CancellationToken.None);
        Assert.True(await MayReadAsync("Bearer " + token));

        Assert.True(await new WorkerDirectory(_db!, _tokens, _clock).SetEnabledAsync("builder", false, CancellationToken.None));
        // Remembered: narinfos stay cheap, and a disabled worker reads for up to CacheWorkerReaders.RememberFor.
        Assert.True(await MayReadAsync("Bearer " + token));
        _clock.Advance(CacheWorkerReaders.RememberFor);

        Assert.False(await MayReadAsync("Bearer " + token));
    }

    private Task<bool> MayReadAsync(string? authorization)
    {
        var http = new DefaultHttpContext();
        if (authorization is not null)
        {
            http.Request.Headers.Authorization = authorization;
        }

        return _access!.MayReadPublicAsync(http.Request, CancellationToken.None);
    }
}
