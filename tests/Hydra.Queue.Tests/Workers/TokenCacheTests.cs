using Hydra.Queue.Workers;
using Hydra.Testing;

namespace Hydra.Queue.Tests.Workers;

/// <summary>Worker token look-ups are kept for <see cref="QueueOptions.TokenCacheTime"/>; changes through this process apply at once.</summary>
public sealed class TokenCacheTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_new_token_revokes_the_old_one_at_once()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var old = await queue.Tokens.CreateOrRotateAsync("rotated", CancellationToken.None);
        Assert.Equal("rotated", (await queue.Tokens.AuthenticateAsync(old, CancellationToken.None))?.Name);

        var fresh = await queue.Tokens.CreateOrRotateAsync("rotated", CancellationToken.None);

        Assert.Null(await queue.Tokens.AuthenticateAsync(old, CancellationToken.None));
        Assert.Equal("rotated", (await queue.Tokens.AuthenticateAsync(fresh, CancellationToken.None))?.Name);
    }

    [Fact]
    public async Task Disabling_through_this_process_applies_at_once()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var token = await queue.Tokens.CreateOrRotateAsync("switched", CancellationToken.None);
        Assert.True((await queue.Tokens.AuthenticateAsync(token, CancellationToken.None))!.Enabled);
        var directory = new WorkerDirectory(queue.DataSource, queue.Tokens, queue.Clock);

        await directory.SetEnabledAsync("switched", false, CancellationToken.None);

        Assert.False((await queue.Tokens.AuthenticateAsync(token, CancellationToken.None))!.Enabled);
    }

    [Fact]
    public async Task Changes_by_another_process_are_seen_once_the_cache_time_has_passed()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var token = await queue.Tokens.CreateOrRotateAsync("elsewhere", CancellationToken.None);
        Assert.NotNull(await queue.Tokens.AuthenticateAsync(token, CancellationToken.None));

        // Another process (hydra-server create-worker, a second web replica) gives the worker a new token and disables it.
        await queue.ExecuteAsync("UPDATE workers SET token_hash = 'replaced-elsewhere', enabled = false WHERE name = 'elsewhere'");
        queue.Clock.Advance(queue.QueueOptions.TokenCacheTime / 2);
        Assert.True((await queue.Tokens.AuthenticateAsync(token, CancellationToken.None))!.Enabled);

        queue.Clock.Advance(queue.QueueOptions.TokenCacheTime);
        Assert.Null(await queue.Tokens.AuthenticateAsync(token, CancellationToken.None));
    }

    [Fact]
    public async Task With_no_cache_time_every_call_asks_the_database()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        queue.QueueOptions.TokenCacheTime = TimeSpan.Zero;
        var token = await queue.Tokens.CreateOrRotateAsync("uncached", CancellationToken.None);
        Assert.NotNull(await queue.Tokens.AuthenticateAsync(token, CancellationToken.None));

        await queue.ExecuteAsync("UPDATE workers SET token_hash = 'replaced-uncached' WHERE name = 'uncached'");

        Assert.Null(await queue.Tokens.AuthenticateAsync(token, CancellationToken.None));
    }
}
