namespace Hydra.Builder.Tests.Fakes;

/// <summary>Base of tests that start the worker themselves (with options of their choosing) against a fresh fake server.</summary>
public abstract class FakeServerTests : IAsyncLifetime
{
    protected static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    internal TestWorker Worker { get; } = new();

    protected FakeHydraServer Server { get; private set; } = null!;

    public virtual async Task InitializeAsync() => Server = await FakeHydraServer.StartAsync();

    public async Task DisposeAsync()
    {
        await Worker.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after <see cref="Patience"/>.</summary>
    protected static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
