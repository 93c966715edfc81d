using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Hydra.Queue.Metrics;

/// <summary><c>GET /metrics</c>: the queue's figures in Prometheus text format.</summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static IEndpointRouteBuilder MapHydraMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, WriteAsync).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> WriteAsync(MetricsCollector collector, QueueGauges gauges, CancellationToken cancellationToken)
    {
        var writer = new PrometheusWriter();
        await gauges.WriteToAsync(writer, cancellationToken);
        collector.WriteTo(writer);
        return Results.Text(writer.ToString(), PrometheusWriter.ContentType);
    }
}
