using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>Base of tests that only hand a running worker claims and read its reports: a fake server and a started worker per test.</summary>
public abstract class RunningWorkerTests : FakeServerTests
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Worker.StartAsync(Server);
    }

    /// <summary>Hands the worker a claim for <paramref name="drv"/> and waits for its report; also returns the output path.</summary>
    protected async Task<(FinishRequest Finish, string Output)> BuildAsync(long attemptId, string drv, StepLimits? limits = null)
    {
        var output = (await TestNix.OutputPathsAsync(drv)).Single();
        Server.Enqueue(TestWorker.Claim(attemptId, drv, output, limits));
        return (await Server.WaitForFinishAsync(attemptId, Patience), output);
    }
}
