using Hydra.Builder.Configuration;
using Hydra.Builder.Hosting;
using Hydra.Builder.Nix;
using Hydra.Builder.Worker;
using Hydra.Core.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>The real worker host, in-process, against a <see cref="FakeHydraServer"/>, with its own work directory.</summary>
internal sealed class TestWorker : IAsyncDisposable
{
    private readonly DirectoryInfo _workDir = Directory.CreateTempSubdirectory("hydra-builder-work-");
    private IHost? _host;

    public IHost Host => _host ?? throw new InvalidOperationException("Start the worker first.");

    /// <summary>What the worker logged.</summary>
    public CapturedLog Log { get; } = new();

    /// <param name="disk">Replaces the real free-space probe of the store.</param>
    /// <param name="mandatoryFeatures">The worker's <c>--mandatory-features</c>.</param>
    /// <param name="speedFactor">The worker's <c>--speed-factor</c>.</param>
    /// <param name="maxJobs">The worker's <c>--max-jobs</c> (job slots).</param>
    public async Task<IHost> StartAsync(FakeHydraServer server, TimeSpan? drainTimeout = null, IFreeDiskSpace? disk = null,
        IReadOnlyList<string>? mandatoryFeatures = null, double speedFactor = 1, int maxJobs = 1)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(Log);
        if (disk is not null)
        {
            builder.Services.AddSingleton(disk);
        }
        builder.Services.AddHydraBuilder(new BuilderOptions
        {
            Server = server.BaseUrl,
            Token = FakeHydraServer.Token,
            Systems = [NixSystem.Current()],
            MandatoryFeatures = mandatoryFeatures ?? [],
            SpeedFactor = speedFactor,
            MaxJobs = maxJobs,
            Name = "test-worker",
            WorkDir = _workDir.FullName,
            DrainTimeout = drainTimeout ?? TimeSpan.FromSeconds(5),
            ClaimWait = TimeSpan.FromSeconds(1),
            DiskCheckInterval = TimeSpan.FromMilliseconds(20),
        });
        _host = builder.Build();
        await _host.StartAsync();
        return _host;
    }

    /// <summary>A claim as the server would send it; <paramref name="limits"/> default to none.</summary>
    public static ClaimResponse Claim(long attemptId, string drvPath, string output, StepLimits? limits = null) =>
        new(StepId: attemptId * 10, attemptId, drvPath, NixSystem.Current(), [output], LeaseSeconds: 30, HeartbeatSeconds: 1, limits);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }

        _workDir.Delete(recursive: true);
    }
}
