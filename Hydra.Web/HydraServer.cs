using Hydra.Core;
using Hydra.Core.Notifications;
using Hydra.Evaluator;
using Hydra.Queue;
using Hydra.Queue.Api;
using Hydra.Queue.Metrics;
using Hydra.Web.Hosting;
using Npgsql;

namespace Hydra.Web;

/// <summary>Composes the server from the libraries' entry points. Tests build it the same way.</summary>
public static class HydraServer
{
    public static Task<int> RunAsync(string[] args) => ServerCommandLine.InvokeAsync(args);

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.AddHydraLogging();
        var options = builder.Configuration.GetSection(HydraOptions.Section).Get<HydraOptions>() ?? new HydraOptions();
        builder.AddHydraCore();
        builder.AddHydraEvaluator(options.HasRole("evaluator"));
        builder.AddHydraQueue(options.HasRole("queue"));
        builder.AddHydraNotifications(options.HasRole("queue"));
        builder.AddHydraWeb();
        var app = builder.Build();
        _ = app.Services.GetService<OpenTelemetry.Trace.TracerProvider>();
        app.MapHydraWeb();
        app.MapHydraWorkerApi();
        app.MapHydraMetrics();
        app.MapGet("/health", HealthAsync).DisableAntiforgery();
        // Browsers ask for /favicon.ico on pages without an icon link (raw logs, downloads): the same icon.
        app.MapGet("/favicon.ico", () => Results.Redirect("/favicon.svg", permanent: true)).DisableAntiforgery();
        return app;
    }

    /// <summary>200 when the database answers; 503 with the reason otherwise.</summary>
    private static async Task<IResult> HealthAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return Results.Text("ok\n");
        }
        catch (NpgsqlException exception)
        {
            return Results.Text($"database unavailable: {exception.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
