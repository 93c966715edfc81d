using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests;

/// <summary>The search page and Hydra's search JSON, against the real database and its trigram index.</summary>
public sealed class SearchTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private async Task<(long Current, long Old, string Output, string Drv)> SeedAsync()
    {
        long current = 0, old = 0;
        string output = "", drv = "";
        await factory.WithDbAsync(async db =>
        {
            if (await db.Projects.AnyAsync(p => p.Name == "searchable"))
            {
                var builds = await db.Builds.Where(b => b.Jobset!.Name == "release-24" && b.Job == "pkgs.hello_world")
                    .OrderBy(b => b.Id).Include(b => b.Outputs).ToListAsync();
                (current, old, output, drv) = (builds[1].Id, builds[0].Id, builds[1].Outputs[0].Path, builds[0].DrvPath);
                return;
            }
            var jobset = await Seed.JobsetAsync(db, "searchable", "release-24");
            var hidden = await Seed.JobsetAsync(db, "secret-searchable", "hidden-release");
            hidden.Hidden = true;
            var oldBuild = await Seed.BuildAsync(db, jobset, null, "pkgs.hello_world", 0);
            var build = await Seed.BuildAsync(db, jobset, null, "pkgs.hello_world", 0);
            build.IsCurrent = true;
            var hiddenBuild = await Seed.BuildAsync(db, hidden, null, "pkgs.hello_world", 0);
            hiddenBuild.IsCurrent = true;
            var other = await Seed.BuildAsync(db, jobset, null, "pkgs.helloXworld", 0);
            other.IsCurrent = true;
            await db.SaveChangesAsync();
            (current, old, output, drv) = (build.Id, oldBuild.Id, build.Outputs[0].Path, oldBuild.DrvPath);
        });
        return (current, old, output, drv);
    }

    [Fact]
    public async Task Finds_projects_jobsets_current_jobs_and_builds_by_exact_store_path()
    {
        var (current, old, output, drv) = await SeedAsync();
        var client = factory.CreateClient();

        var page = await client.GetStringAsync("/search?query=hello_w");
        Assert.Contains("Jobs (current builds)", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{current}\"", page, StringComparison.Ordinal);
        // "_" is a character, not LIKE's wildcard; old builds are not current; hidden jobsets stay hidden.
        Assert.DoesNotContain("helloXworld", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"href=\"/build/{old}\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden-release", page, StringComparison.Ordinal);

        var names = await client.GetStringAsync("/search?query=SEARCHABLE");
        Assert.Contains("href=\"/project/searchable\"", names, StringComparison.Ordinal);
        Assert.Contains("href=\"/project/secret-searchable\"", names, StringComparison.Ordinal);
        var jobsets = await client.GetStringAsync("/search?query=release-2");
        Assert.Contains("searchable:release-24", jobsets, StringComparison.Ordinal);

        var json = await factory.JsonClient().GetFromJsonAsync<JsonElement>($"/search?query={Uri.EscapeDataString(output)}");
        Assert.True(json.GetProperty("builds").GetArrayLength() == 1, $"{output}: {json}");
        Assert.Equal(current, json.GetProperty("builds").EnumerateArray().Single().GetProperty("id").GetInt64());
        Assert.Empty(json.GetProperty("buildsdrv").EnumerateArray());
        Assert.Empty(json.GetProperty("projects").EnumerateArray());
        var byDrv = await factory.JsonClient().GetFromJsonAsync<JsonElement>($"/search?query={Uri.EscapeDataString(drv)}");
        Assert.Equal(old, byDrv.GetProperty("buildsdrv").EnumerateArray().Single().GetProperty("id").GetInt64());
        var projects = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/search?query=searchable");
        Assert.Equal(["searchable", "secret-searchable"], projects.GetProperty("projects").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        Assert.Empty(projects.GetProperty("jobsets").EnumerateArray());
        var release = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/search?query=release-2");
        var jobset = release.GetProperty("jobsets").EnumerateArray().Single();
        Assert.Equal("release-24", jobset.GetProperty("name").GetString());
        Assert.Equal("searchable", jobset.GetProperty("project").GetString());
    }

    [Theory]
    [InlineData("%", "letters, digits")]
    [InlineData("<script>", "letters, digits")]
    [InlineData("a'b", "letters, digits")]
    public async Task A_query_that_cannot_be_searched_is_a_clear_400(string query, string message)
    {
        var page = await factory.CreateClient().GetAsync($"/search?query={Uri.EscapeDataString(query)}");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        var text = await page.Content.ReadAsStringAsync();
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", text.Replace("<script src=", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var json = await factory.JsonClient().GetAsync($"/search?query={Uri.EscapeDataString(query)}");
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Contains(message, (await json.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Empty_and_unmatched_searches_say_what_to_type()
    {
        var client = factory.CreateClient();
        var empty = await client.GetAsync("/search");
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.Contains("Type a project, jobset or job name", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var none = await client.GetStringAsync("/search?query=zzzznothing");
        Assert.Contains("Nothing matches", none, StringComparison.Ordinal);
        Assert.Contains("store paths must be whole", none, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_job_search_finds_jobs_through_the_trigram_index_not_a_scan_of_builds()
    {
        await SeedAsync();
        await factory.WithDbAsync(async db =>
        {
            // Enough current builds with varied names that PostgreSQL's statistics make the plan a real choice.
            var jobsetId = await db.Jobsets.Where(j => j.Name == "release-24").Select(j => j.Id).SingleAsync();
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, queued_at, is_current)
                SELECT {jobsetId}::bigint, 'pkgs.package' || i || '.' || md5(i::text), 'p-' || i, '/nix/store/' || md5(i::text) || '-p.drv',
                       'x86_64-linux', now(), i % 3 = 0
                FROM generate_series(1, 30000) i
                """);
            await db.Database.ExecuteSqlRawAsync("ANALYZE builds");
            await using var transaction = await db.Database.BeginTransactionAsync();
            var plan = string.Join("\n", await db.Database.SqlQueryRaw<string>(
                "EXPLAIN SELECT id FROM builds WHERE is_current AND job ILIKE '%hello\\_w%' ORDER BY job, jobset_id LIMIT 20").ToListAsync());
            Assert.True(plan.Contains("builds_current_job_trgm", StringComparison.Ordinal), plan);
            Assert.DoesNotContain("Seq Scan on builds", plan, StringComparison.Ordinal);
        });
    }
}
