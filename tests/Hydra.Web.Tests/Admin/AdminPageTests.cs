using System.Net;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests.Admin;

public sealed class AdminPageTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_background_work_shows_failing_jobsets_expired_leases_and_the_failure_cache()
    {
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "broken", "trunk");
            jobset.ErrorMessage = "error: attribute 'hello' missing\nat release.nix:3";
            jobset.ErrorTime = Seed.Now.AddMinutes(-5);
            var step = await Seed.StepAsync(db, StepState.Running);
            await db.SaveChangesAsync();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO workers (name, token_hash, created_at) VALUES ('lost', 'h-lost', now());
                INSERT INTO step_attempts (step_id, worker_id, lease_expires_at, started_at)
                SELECT {step.Id}, id, now() - interval '10 minutes', now() - interval '20 minutes' FROM workers WHERE name = 'lost';
                INSERT INTO failed_derivations (drv_path, failed_at) VALUES ('/nix/store/aaa-x.drv', now()), ('/nix/store/bbb-y.drv', now());
                """);
        });
        var admin = await FormPosts.ClientAsync(factory, "root", "admin");

        var page = await admin.GetStringAsync("/admin");

        Assert.Contains("href=\"/jobset/broken/trunk\"", page, StringComparison.Ordinal);
        Assert.Contains("error: attribute &#x27;hello&#x27; missing", page, StringComparison.Ordinal);
        Assert.DoesNotContain("release.nix:3", page, StringComparison.Ordinal);
        Assert.Contains("the reaper takes leases back within seconds", page, StringComparison.Ordinal);
        Assert.Contains("2 derivations are known to fail", page, StringComparison.Ordinal);

        var cleared = await admin.PostAsync("/api/clear-failed-cache", FormPosts.Form(FormPosts.Token(page)));
        Assert.Equal(HttpStatusCode.Redirect, cleared.StatusCode);
        Assert.Equal("/admin?cleared=2", cleared.Headers.Location?.ToString());
        Assert.Contains("Cleared 2 failure cache entries.", await admin.GetStringAsync("/admin?cleared=2"), StringComparison.Ordinal);
        await using var count = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM failed_derivations");
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }
}
