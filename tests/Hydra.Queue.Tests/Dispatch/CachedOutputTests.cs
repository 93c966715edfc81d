using System.Text;
using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Core.Storage;
using Hydra.Testing;
using Microsoft.Extensions.Options;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>Steps whose outputs are all in the binary cache are never handed to a worker.</summary>
public sealed class CachedOutputTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private const string NixBase32 = "0123456789abcdfghijklmnpqrsvwxyz";
    private readonly string _system = DispatchSeed.UniqueSystem();

    [Fact]
    public async Task A_step_whose_outputs_reached_the_cache_finishes_as_a_cached_success_and_the_claim_moves_on()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("cached");
        var (bin, dev) = (OutputPath("lib"), OutputPath("lib-dev"));
        var library = await queue.AddRunnableAsync(_system, $"output_paths = '{{{bin},{dev}}}'");
        var app = await queue.AddStepAsync("app", _system, library);
        var libraryBuild = await queue.AddBuildAsync(library);
        var appBuild = await queue.AddBuildAsync(app, library);
        PutInCache(queue, bin);
        PutInCache(queue, dev);

        var claim = await queue.ClaimAsync(worker, new ClaimRequest([_system], [], 0));

        Assert.Equal(app, claim?.StepId);
        Assert.Equal(3, await queue.StepColumnAsync<short>(library, "state"));
        Assert.Equal(BuildStatus.Succeeded, await queue.BuildColumnAsync<int>(libraryBuild, "build_status"));
        Assert.True(await queue.BuildColumnAsync<bool>(libraryBuild, "is_cached_build"));
        Assert.False(await queue.BuildColumnAsync<bool>(appBuild, "finished"));
        Assert.Equal(1, await queue.ScalarAsync<short>($"SELECT state FROM step_attempts WHERE step_id = {library}"));
        Assert.False(File.Exists(queue.HydraOptions.StepLogPath(library)));
    }

    [Fact]
    public async Task A_step_with_only_some_outputs_in_the_cache_is_built()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("half-cached");
        var (bin, dev) = (OutputPath("half"), OutputPath("half-dev"));
        var step = await queue.AddRunnableAsync(_system, $"output_paths = '{{{bin},{dev}}}'");
        var build = await queue.AddBuildAsync(step);
        PutInCache(queue, bin);

        var claim = await queue.ClaimAsync(worker, new ClaimRequest([_system], [], 0));

        Assert.Equal(step, claim?.StepId);
        Assert.Equal(2, await queue.StepColumnAsync<short>(step, "state"));
        Assert.False(await queue.BuildColumnAsync<bool>(build, "is_cached_build"));
    }

    [Fact]
    public async Task Outputs_in_an_s3_bucket_count_as_cached_too()
    {
        var credentials = new S3Credentials("AKIDQUEUETEST", "queue-test-secret", "us-east-1");
        await using var s3 = await FakeS3Server.StartAsync(credentials);
        var storage = new S3CacheStorage(new HttpClient(), Options.Create(new CacheStorageOptions
        {
            Storage = "s3",
            S3 = new S3StorageOptions
            {
                Endpoint = s3.Endpoint, Bucket = "queue", Region = credentials.Region,
                AccessKeyId = credentials.AccessKeyId, SecretAccessKey = credentials.SecretAccessKey,
            },
        }), TimeProvider.System);
        await using var queue = new QueueHarness(database.ConnectionString, storage);
        var worker = await queue.AddWorkerAsync("s3-cached");
        var (cached, missing) = (OutputPath("in-bucket"), OutputPath("not-in-bucket"));
        var cachedStep = await queue.AddRunnableAsync(_system, $"output_paths = '{{{cached}}}'");
        var missingStep = await queue.AddRunnableAsync(_system, $"output_paths = '{{{missing}}}'");
        var cachedBuild = await queue.AddBuildAsync(cachedStep);
        using (var narInfo = new MemoryStream(Encoding.UTF8.GetBytes($"StorePath: {cached}\n")))
        {
            Assert.Equal(CacheWriteResult.Stored, await storage.WriteAsync(CacheStorePaths.NarInfoKey(cached)!, narInfo, 1 << 20, null, default));
        }

        var claim = await queue.ClaimAsync(worker, new ClaimRequest([_system], [], 0));

        Assert.Equal(missingStep, claim?.StepId);
        Assert.Equal(3, await queue.StepColumnAsync<short>(cachedStep, "state"));
        Assert.True(await queue.BuildColumnAsync<bool>(cachedBuild, "is_cached_build"));
        Assert.Equal(0, s3.Refused);
    }

    private static string OutputPath(string name) =>
        $"/nix/store/{new string(Enumerable.Range(0, 32).Select(_ => NixBase32[Random.Shared.Next(NixBase32.Length)]).ToArray())}-{name}";

    private static void PutInCache(QueueHarness queue, string storePath)
    {
        Directory.CreateDirectory(queue.HydraOptions.CacheDir);
        File.WriteAllText(Path.Combine(queue.HydraOptions.CacheDir, storePath["/nix/store/".Length..][..32] + ".narinfo"), $"StorePath: {storePath}\n");
    }
}
