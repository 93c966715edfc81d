using Microsoft.Extensions.Hosting;

namespace Hydra.Evaluator;

/// <summary>Entry point of the evaluator: the jobset scheduler and what it needs.</summary>
public static class HydraEvaluatorExtensions
{
    public static IHostApplicationBuilder AddHydraEvaluator(this IHostApplicationBuilder builder, bool runScheduler)
    {
        _ = runScheduler;
        return builder;
    }
}
