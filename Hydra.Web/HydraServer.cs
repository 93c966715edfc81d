using Hydra.Core;
using Hydra.Evaluator;
using Hydra.Queue;

namespace Hydra.Web;

/// <summary>Composes the server from the libraries' entry points. Tests build it the same way.</summary>
public static class HydraServer
{
    public static Task<int> RunAsync(string[] args)
    {
        var app = Build(args);
        app.Run();
        return Task.FromResult(0);
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(HydraOptions.Section).Get<HydraOptions>() ?? new HydraOptions();
        builder.AddHydraCore();
        builder.AddHydraEvaluator(options.HasRole("evaluator"));
        builder.AddHydraQueue(options.HasRole("queue"));
        builder.AddHydraWeb();
        var app = builder.Build();
        app.MapHydraWeb();
        return app;
    }
}
