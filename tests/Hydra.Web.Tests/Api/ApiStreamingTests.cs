using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Api;

/// <summary>
/// <c>/eval/{id}/builds</c> of a 100,000-build evaluation: the answer is streamed (no Content-Length, rows
/// written as they are read) and arrives whole and valid. Time to first byte and memory are measured by
/// bench/api.sh, not asserted here.
/// </summary>
public sealed class ApiStreamingTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const int Builds = 100_000;

    [Fact]
    public async Task A_100000_build_evaluation_streams_every_build_as_valid_json()
    {
        long evalId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "big", "main");
            evalId = (await Seed.EvalAsync(db, jobset)).Id;
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, finished, build_status, queued_at, start_time, stop_time)
                SELECT {jobset.Id}, 'job' || g, 'pkg-' || g, '/nix/store/' || md5(g::text) || '-pkg.drv', 'x86_64-linux',
                       g % 10 <> 0, CASE WHEN g % 10 <> 0 THEN g % 3 END, now(), now(), now()
                FROM generate_series(1, {Builds}) g
                """);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO build_outputs (build_id, name, path) SELECT id, 'out', '/nix/store/' || md5(id::text) || '-pkg' FROM builds WHERE jobset_id = {jobset.Id}
                """);
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO evaluation_members (evaluation_id, build_id, is_new) SELECT {evalId}, id, true FROM builds WHERE jobset_id = {jobset.Id}
                """);
        });
        var client = factory.JsonClient();

        using var response = await client.GetAsync($"/eval/{evalId}/builds", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        long count = 0, previous = 0, queued = 0;
        await foreach (var build in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(body))
        {
            var id = build.GetProperty("id").GetInt64();
            Assert.True(id > previous, $"build {id} after {previous}: not in id order");
            previous = id;
            count++;
            if (build.GetProperty("finished").GetInt32() == 0)
            {
                queued++;
                Assert.Equal(JsonValueKind.Null, build.GetProperty("buildstatus").ValueKind);
            }
            Assert.Equal(JsonValueKind.String, build.GetProperty("buildoutputs").GetProperty("out").GetProperty("path").ValueKind);
        }
        Assert.Equal(Builds, count);
        Assert.Equal(Builds / 10, queued);
    }
}
