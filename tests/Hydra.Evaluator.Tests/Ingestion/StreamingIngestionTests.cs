using Hydra.Core.Processes;
using Hydra.Evaluator.Ingestion;
using Hydra.Evaluator.Nix;
using Hydra.Testing;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>
/// The streaming path (jobs ingested as the worker processes print them, aggregates and errors at the end) against
/// evaluating first and ingesting after, with two workers and batches of two.
/// </summary>
public sealed class StreamingIngestionTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Streaming_an_evaluation_from_two_workers_writes_the_same_rows_as_ingesting_it_afterwards()
    {
        NixTestEnvironment.Apply();
        var salt = Guid.NewGuid().ToString("N");
        var file = Path.Combine(Directory.CreateTempSubdirectory("hydra-stream-").FullName, "release.nix");
        await File.WriteAllTextAsync(file, Expression(salt));
        await using var harness = new IngestionHarness(database.ConnectionString, batchSize: 2);
        var evaluator = new NixEvaluator(new NixProcessRunner(), Options.Create(new EvaluatorOptions
        {
            NixEvalJobsPath = "", Workers = 2, EvalTimeout = TimeSpan.FromSeconds(60),
        }));

        var afterwards = await harness.CreateJobsetAsync();
        var evaluation = await evaluator.EvaluateAsync(file, [], CancellationToken.None);
        var plain = await harness.Ingester.IngestAsync(afterwards, Record(), evaluation, CancellationToken.None);

        var streamed = await harness.CreateJobsetAsync();
        var first = await IngestStreamingAsync(harness, evaluator, file, streamed);

        Assert.Equal((8, 0, 1), (plain.NewBuilds, plain.ReusedBuilds, plain.Errors));
        Assert.Equal((plain.NewBuilds, plain.ReusedBuilds, plain.Errors), (first.NewBuilds, first.ReusedBuilds, first.Errors));
        Assert.Equal(await RowsAsync(harness, afterwards), await RowsAsync(harness, streamed));
        Assert.Contains("release -> job1", await RowsAsync(harness, streamed));
        Assert.Contains("error broken 8 1 True", await RowsAsync(harness, streamed));

        // Evaluated again, unchanged: every build is reused, through the stream as well.
        var second = await IngestStreamingAsync(harness, evaluator, file, streamed);
        Assert.Equal((0, 8), (second.NewBuilds, second.ReusedBuilds));
    }

    [Fact]
    public async Task While_the_evaluation_runs_a_batch_waits_for_the_minimum_and_the_rest_is_the_last()
    {
        NixTestEnvironment.Apply();
        var file = Path.Combine(Directory.CreateTempSubdirectory("hydra-stream-").FullName, "release.nix");
        await File.WriteAllTextAsync(file, Expression(Guid.NewGuid().ToString("N")));
        await using var harness = new IngestionHarness(database.ConnectionString, batchSize: 6, minBatchSize: 4);
        var evaluator = new NixEvaluator(new NixProcessRunner(), Options.Create(new EvaluatorOptions
        {
            NixEvalJobsPath = "", Workers = 2, EvalTimeout = TimeSpan.FromSeconds(60),
        }));
        var received = new Received();

        await using (var stream = evaluator.EvaluateStreaming(file, [], CancellationToken.None))
        {
            await harness.Ingester.IngestAsync(await harness.CreateJobsetAsync(), stream, _ => Record(), received, CancellationToken.None);
        }

        // Seven jobs stream one by one: however they arrive, a batch of at least four, the rest at the end, then the aggregate.
        Assert.Equal(8, received.Chunks.Sum());
        Assert.Equal(1, received.Chunks[^1]);
        Assert.InRange(received.Chunks[0], 4, 6);
        Assert.Equal(7, received.Chunks[0] + received.Chunks[1]);
        Assert.Equal(3, received.Chunks.Count);
    }

    /// <summary>The size of each chunk of jobs ingestion took (its "received" progress lines).</summary>
    private sealed class Received : IProgress<string>
    {
        public List<int> Chunks { get; } = [];

        public void Report(string value)
        {
            if (value.StartsWith("received ", StringComparison.Ordinal))
            {
                lock (Chunks)
                {
                    Chunks.Add(int.Parse(value.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }
    }

    private static async Task<IngestResult> IngestStreamingAsync(IngestionHarness harness, NixEvaluator evaluator, string file, long jobset)
    {
        await using var stream = evaluator.EvaluateStreaming(file, [], CancellationToken.None);
        return await harness.Ingester.IngestAsync(jobset, stream, _ => Record(), progress: null, CancellationToken.None);
    }

    private static EvaluationRecord Record() => new("hash", "src", "release.nix", [], 0, 0, DateTimeOffset.UtcNow);

    /// <summary>Six jobs over a shared base, one with a higher priority, an aggregate over three of them, and one job that throws.</summary>
    private static string Expression(string salt) =>
        $$"""
        let
          mk = name: deps: extra: derivation {
            inherit name deps;
            salt = "{{salt}}";
            system = builtins.currentSystem;
            builder = "/bin/sh";
            args = [ "-c" "echo ${name} > $out" ];
            PATH = "/bin:/usr/bin";
          } // extra;
          base = mk "base" [ ] { };
          mid = mk "mid" [ base ] { };
          job = i: mk "job${toString i}" [ (if i < 3 then base else mid) ] { };
        in {
          job0 = job 0; job1 = job 1; job2 = job 2; job3 = job 3; job4 = job 4;
          urgent = mk "urgent" [ mid ] { meta.schedulingPriority = 200; };
          other = mk "other" [ base ] { };
          broken = throw "broken on purpose";
          release = mk "release" [ ] { _hydraAggregate = true; constituents = [ "job1" "urgent" "other" ]; };
        }
        """;

    /// <summary>Everything ingestion wrote for a jobset's latest evaluation, without ids, as sorted lines.</summary>
    private static async Task<List<string>> RowsAsync(IngestionHarness harness, long jobset)
    {
        var lines = new List<string>();
        foreach (var row in await harness.RowsAsync(
            """
            SELECT b.job, b.drv_path, b.finished, coalesce(b.build_status, -1), b.priority, b.is_current, m.is_new,
                   coalesce(t.drv_path, ''), coalesce(t.local_priority, -1), coalesce(t.state, -1),
                   (SELECT string_agg(s.drv_path || '@' || s.local_priority || '/' || s.state, ' ' ORDER BY s.drv_path)
                    FROM build_steps bs JOIN steps s ON s.id = bs.step_id WHERE bs.build_id = b.id)
            FROM builds b
            JOIN evaluation_members m ON m.build_id = b.id
              AND m.evaluation_id = (SELECT max(id) FROM evaluations WHERE jobset_id = @j)
            LEFT JOIN steps t ON t.id = b.top_step_id
            """, ("j", jobset)))
        {
            lines.Add(string.Join(' ', row));
        }
        foreach (var row in await harness.RowsAsync(
            """
            SELECT a.job, c.job FROM aggregate_constituents ac
            JOIN builds a ON a.id = ac.aggregate_id JOIN builds c ON c.id = ac.constituent_id
            WHERE a.jobset_id = @j
            """, ("j", jobset)))
        {
            lines.Add($"{row[0]} -> {row[1]}");
        }
        foreach (var row in await harness.RowsAsync(
            """
            SELECT e.job, e.message, v.nr_builds, v.nr_errors, v.has_new_builds FROM evaluation_errors e JOIN evaluations v ON v.id = e.evaluation_id
            WHERE v.id = (SELECT max(id) FROM evaluations WHERE jobset_id = @j)
            """, ("j", jobset)))
        {
            lines.Add($"error {row[0]} {row[2]} {row[3]} {row[4]}");
            Assert.Contains("broken on purpose", (string)row[1]);
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
