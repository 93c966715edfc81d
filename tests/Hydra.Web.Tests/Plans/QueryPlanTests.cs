using Hydra.Bench;
using Npgsql;

namespace Hydra.Web.Tests.Plans;

/// <summary>
/// Every database query behind the busy pages (build, jobset, evaluation, job, queue, search, log, home, project)
/// has an index to use: on a seeded farm (bench/web's FarmSeeder, at a hundredth of its size, statistics fresh),
/// each recorded EF Core command is EXPLAINed with sequential scans priced out (<c>enable_seqscan = off</c>), and
/// none may still scan builds, steps or the tables joining them. On a small table PostgreSQL may rightly prefer
/// a scan; with scans priced out, a scan left in the plan means no index can serve the query.
/// </summary>
public sealed class QueryPlanTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private static readonly string[] BigTables = ["builds", "steps", "build_steps", "evaluation_members", "build_outputs", "step_attempts", "step_dependencies"];

    [Fact]
    public async Task No_page_query_scans_builds_or_steps_on_a_seeded_farm()
    {
        await using (var dataSource = NpgsqlDataSource.Create(factory.ConnectionString))
        {
            // The server must have migrated the database first.
            using var warm = factory.CreateClient();
            (await warm.GetAsync("/health")).EnsureSuccessStatusCode();
            await new FarmSeeder(dataSource, 0.01).SeedAsync(CancellationToken.None);
        }

        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        string[] urls =
        [
            "/", "/project/proj01", "/project/nixpkgs",
            "/jobset/proj01/js001", "/jobset/nixpkgs/trunk", "/jobset/proj01/js001?before=100",
            "/jobset/proj01/js001/jobs", "/jobset/nixpkgs/trunk/jobs", "/jobset/nixpkgs/trunk/jobs?after=pkgs.package5",
            "/eval/1", "/eval/2", "/build/1", "/build/9999", "/build/9999/log",
            "/job/proj01/js001/job1", "/job/nixpkgs/trunk/pkgs.package1.x86_64-linux",
            "/queue", "/queue?system=aarch64-linux", "/queue?after=9500", "/queue?jobset=proj01:js001",
            "/search?query=job12", "/search?query=proj0", "/search?query=/nix/store/00000000000000000000000000000000-x",
            "/machines", "/status/evaluations",
        ];
        factory.Sql.Clear();
        factory.Sql.Recording = true;
        try
        {
            foreach (var url in urls)
            {
                var response = await client.GetAsync(url);
                Assert.True(response.IsSuccessStatusCode, $"{url}: {(int)response.StatusCode}");
            }
        }
        finally
        {
            factory.Sql.Recording = false;
        }

        var commands = factory.Sql.Commands;
        Assert.True(commands.Count >= urls.Length, $"only {commands.Count} commands were recorded");
        var offenders = new List<string>();
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off", connection))
        {
            await off.ExecuteNonQueryAsync();
        }
        // The check itself: a query no index serves is caught.
        var control = await ExplainAsync(connection, new RecordedCommand("SELECT id FROM builds WHERE nix_name = 'job-17'", []));
        Assert.True(ScansABigTable(control), control);

        foreach (var command in commands.DistinctBy(c => c.Text))
        {
            var plan = await ExplainAsync(connection, command);
            if (ScansABigTable(plan))
            {
                offenders.Add($"{command.Text}\n{plan}");
            }
        }
        Assert.True(offenders.Count == 0, string.Join("\n\n----\n", offenders));
    }

    private static bool ScansABigTable(string plan) =>
        BigTables.Any(t => plan.Contains($"Seq Scan on {t} ", StringComparison.Ordinal) || plan.Contains($"Seq Scan on {t}\n", StringComparison.Ordinal)
            || plan.EndsWith($"Seq Scan on {t}", StringComparison.Ordinal));

    private static async Task<string> ExplainAsync(NpgsqlConnection connection, RecordedCommand command)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN " + command.Text, connection);
        foreach (var parameter in command.Parameters)
        {
            explain.Parameters.Add(parameter.Clone());
        }
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }
        return string.Join("\n", plan);
    }
}
