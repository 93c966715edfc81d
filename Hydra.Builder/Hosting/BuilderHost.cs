using Hydra.Builder.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Hydra.Builder.Hosting;

/// <summary>Runs the worker as a Generic Host with Serilog console logging; SIGTERM/Ctrl+C start the drain.</summary>
public static class BuilderHost
{
    public static async Task<int> RunAsync(BuilderOptions options, CancellationToken cancellationToken)
    {
        using var serilog = new LoggerConfiguration()
            .MinimumLevel.Is(MinimumLevel())
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}")
            .CreateLogger();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(serilog);
        builder.Services.AddHydraBuilder(options);

        using var host = builder.Build();
        await host.RunAsync(cancellationToken);
        return 0;
    }

    /// <summary><c>HYDRA_BUILDER_LOG_LEVEL</c> (Serilog's names: Debug, Information, Warning...), default Information.</summary>
    private static LogEventLevel MinimumLevel() =>
        Enum.TryParse<LogEventLevel>(Environment.GetEnvironmentVariable("HYDRA_BUILDER_LOG_LEVEL"), ignoreCase: true, out var level)
            ? level
            : LogEventLevel.Information;
}
