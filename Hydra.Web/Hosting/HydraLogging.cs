using Hydra.Core;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Serilog;

namespace Hydra.Web.Hosting;

/// <summary>
/// Serilog to the console with structured properties (levels and overrides from the <c>Serilog</c>
/// section); with <c>Hydra:Otlp:Endpoint</c> set, logs and traces also go out over OTLP/HTTP
/// (Seq ingests both at <c>http://seq:5341/ingest/otlp</c>).
/// </summary>
internal static class HydraLogging
{
    public static void AddHydraLogging(this WebApplicationBuilder builder)
    {
        var logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Serilog.Events.LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}")
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);

        var endpoint = builder.Configuration["Hydra:Otlp:Endpoint"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }
        var baseUri = endpoint.TrimEnd('/');
        var resource = ResourceBuilder.CreateDefault().AddService("hydra-server");
        builder.Logging.AddOpenTelemetry(options =>
        {
            options.SetResourceBuilder(resource);
            options.IncludeScopes = true;
            options.AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = new Uri(baseUri + "/v1/logs");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            });
        });
        // Made by a factory so the container owns it and flushes it on shutdown; resolved right
        // after the host is built so the ActivityListener is there for the first request.
        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource("Microsoft.AspNetCore", "Hydra.*")
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = new Uri(baseUri + "/v1/traces");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build());
    }
}
