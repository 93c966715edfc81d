using Hydra.Core.Data;
using Hydra.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Hydra.Core;

/// <summary>Entry point of Hydra.Core: options, the PostgreSQL data source, the DbContext, migrations, the cache's storage.</summary>
public static class HydraCoreExtensions
{
    public static IHostApplicationBuilder AddHydraCore(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Hydra");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new HydraConfigurationException(
                "No database configured. Set ConnectionStrings:Hydra (environment: ConnectionStrings__Hydra), e.g. 'Host=127.0.0.1;Port=5432;Username=hydra;Database=hydra'.");
        }

        builder.Services.AddOptions<HydraOptions>().Bind(builder.Configuration.GetSection(HydraOptions.Section))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDir), "Hydra:DataDir must be set.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        builder.Services.AddDbContext<HydraDbContext>((services, options) =>
            options.UseNpgsql(services.GetRequiredService<NpgsqlDataSource>()));
        builder.Services.AddSingleton<MigrationRunner>();
        builder.AddHydraCacheStorage();
        if (builder.Configuration.GetValue("Hydra:MigrateOnStart", true))
        {
            builder.Services.AddHostedService<MigrateOnStart>();
        }
        return builder;
    }
}
