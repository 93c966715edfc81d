using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Worker;

/// <summary>What the worker says to the server before and around claiming: release, capabilities, reconnecting.</summary>
public sealed class WorkerConnectionTests : FakeServerTests
{
    [Fact]
    public async Task At_start_the_worker_releases_what_its_previous_run_held_before_it_claims()
    {
        Server.ReleasedAttempts = 2;

        await Worker.StartAsync(Server);
        await WaitUntilAsync(() => Server.Calls.Count(c => c == "claim") >= 1);

        Assert.Equal(["info", "release", "claim"], Server.Calls.Take(3));
        Assert.True(Worker.Log.Contains("Released 2 attempt(s)"));
    }

    [Fact]
    public async Task Claims_state_the_mandatory_features_speed_factor_and_slots()
    {
        await Worker.StartAsync(Server, mandatoryFeatures: ["local", "benchmark"], speedFactor: 2.5);
        await WaitUntilAsync(() => !Server.ClaimRequests.IsEmpty);

        var request = Server.ClaimRequests.First();
        Assert.Equal(["local", "benchmark"], request.MandatoryFeatures);
        Assert.Equal(2.5, request.SpeedFactor);
        Assert.Equal(1, request.MaxJobs);
    }

    [Fact]
    public async Task A_worker_whose_server_fails_backs_off_and_builds_once_it_answers_again()
    {
        var drv = await TestNix.InstantiateAsync("echo reconnected > $out");
        Server.FailClaims(3);
        Server.Enqueue(TestWorker.Claim(61, drv, (await TestNix.OutputPathsAsync(drv)).Single()));

        await Worker.StartAsync(Server);

        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(61, Patience)).Outcome);
        Assert.True(Server.ClaimRequests.Count >= 4);
        Assert.Equal(1, Worker.Log.Count("Server unreachable (claim)"));
        Assert.True(Worker.Log.Contains("Server reachable again (claim) after 3 failure(s)"));
    }
}
