using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Worker;

/// <summary>What the worker says to the server before and around claiming: release, capabilities, reconnecting.</summary>
public sealed class WorkerConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TestWorker _worker = new();
    private FakeHydraServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeHydraServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task At_start_the_worker_releases_what_its_previous_run_held_before_it_claims()
    {
        _server.ReleasedAttempts = 2;

        await _worker.StartAsync(_server);
        await WaitUntilAsync(() => _server.Calls.Count(c => c == "claim") >= 1);

        Assert.Equal(["info", "release", "claim"], _server.Calls.Take(3));
        Assert.True(_worker.Log.Contains("Released 2 attempt(s)"));
    }

    [Fact]
    public async Task Claims_state_the_mandatory_features_speed_factor_and_slots()
    {
        await _worker.StartAsync(_server, mandatoryFeatures: ["local", "benchmark"], speedFactor: 2.5);
        await WaitUntilAsync(() => !_server.ClaimRequests.IsEmpty);

        var request = _server.ClaimRequests.First();
        Assert.Equal(["local", "benchmark"], request.MandatoryFeatures);
        Assert.Equal(2.5, request.SpeedFactor);
        Assert.Equal(1, request.MaxJobs);
    }

    [Fact]
    public async Task A_worker_whose_server_fails_backs_off_and_builds_once_it_answers_again()
    {
        var drv = await TestNix.InstantiateAsync("echo reconnected > $out");
        _server.FailClaims(3);
        _server.Enqueue(TestWorker.Claim(61, drv, (await TestNix.OutputPathsAsync(drv)).Single()));

        await _worker.StartAsync(_server);

        Assert.Equal(StepOutcome.Succeeded, (await _server.WaitForFinishAsync(61, Patience)).Outcome);
        Assert.True(_server.ClaimRequests.Count >= 4);
        Assert.Equal(1, _worker.Log.Count("Server unreachable (claim)"));
        Assert.True(_worker.Log.Contains("Server reachable again (claim) after 3 failure(s)"));
    }
}
