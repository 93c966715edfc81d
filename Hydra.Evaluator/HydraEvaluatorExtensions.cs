using Hydra.Core.Processes;
using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Forges;
using Hydra.Evaluator.Inputs;
using Hydra.Evaluator.Ingestion;
using Hydra.Evaluator.Jobsets;
using Hydra.Evaluator.Nix;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Hydra.Evaluator;

/// <summary>Entry point of the evaluator: inputs, Nix evaluation, ingestion and the jobset scheduler.</summary>
public static class HydraEvaluatorExtensions
{
    /// <summary>Registers the evaluator; the scheduler and declarative-build loops run only where the evaluator role is on.</summary>
    public static IHostApplicationBuilder AddHydraEvaluator(this IHostApplicationBuilder builder, bool runScheduler)
    {
        builder.Services.AddOptions<EvaluatorOptions>().Bind(builder.Configuration.GetSection(EvaluatorOptions.Section))
            .Validate(o => o.MaxConcurrentEvaluations > 0, "Hydra:Evaluator:MaxConcurrentEvaluations must be at least 1.")
            .ValidateOnStart();
        builder.Services.AddOptions<IngestionOptions>().Bind(builder.Configuration.GetSection(IngestionOptions.Section))
            .Validate(o => o.BatchSize > 0 && o.PushBatchSize > 0, "Hydra:Evaluator:Ingestion batch sizes must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton<INixProcessRunner, NixProcessRunner>();
        builder.Services.AddSingleton<GitFetcher>();
        builder.Services.AddSingleton<PathInputHasher>();
        builder.Services.AddSingleton<FlakeLocker>();
        builder.Services.AddSingleton<InputQueries>();
        builder.Services.AddSingleton<InputResolver>();
        builder.Services.AddSingleton<NixEvaluator>();
        builder.Services.AddSingleton<DrvCachePusher>();
        builder.Services.AddSingleton<BuildIngester>();
        builder.Services.AddSingleton<DeclarativeJobsets>();
        builder.Services.AddSingleton<GeneratedSpecApplier>();
        builder.Services.AddSingleton<EvaluationRunner>();
        builder.Services.AddScoped<JobsetTrigger>();
        builder.Services.AddOptions<ForgeOptions>().Bind(builder.Configuration.GetSection(ForgeOptions.Section))
            .Validate(o => o.MaxPages > 0, "Hydra:Forges:MaxPages must be at least 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<PullRequestJobsets>();
        builder.Services.AddHttpClient<PullRequestLister>(http =>
        {
            http.Timeout = TimeSpan.FromSeconds(30);
            http.DefaultRequestHeaders.UserAgent.ParseAdd("hydra-dotnet");
        });
        if (runScheduler)
        {
            builder.Services.AddHostedService<JobsetScheduler>();
            builder.Services.AddHostedService<GeneratedSpecWatcher>();
            builder.Services.AddHostedService<PullRequestPoller>();
        }
        return builder;
    }
}
