using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>Base of tests that only hand a running worker claims and read its reports: a fake server and a started worker per test.</summary>
public abstract class RunningWorkerTests : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TestWorker _worker = new();

    protected FakeHydraServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await FakeHydraServer.StartAsync();
        await _worker.StartAsync(Server);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>Hands the worker a claim for <paramref name="drv"/> and waits for its report; also returns the output path.</summary>
    protected async Task<(FinishRequest Finish, string Output)> BuildAsync(long attemptId, string drv, StepLimits? limits = null)
    {
        var output = (await TestNix.OutputPathsAsync(drv)).Single();
        Server.Enqueue(TestWorker.Claim(attemptId, drv, output, limits));
        return (await Server.WaitForFinishAsync(attemptId, Patience), output);
    }
}
