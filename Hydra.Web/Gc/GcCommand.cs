using System.CommandLine;
using System.Globalization;
using Hydra.Core.Data;

namespace Hydra.Web.Gc;

/// <summary><c>hydra-server gc [--dry-run]</c>: collects the binary cache's garbage, or with <c>--dry-run</c> only reports it.</summary>
internal static class GcCommand
{
    public static Command Create(Func<WebApplication> buildTool)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would be deleted and the bytes it would free; delete nothing." };
        var command = new Command("gc", "Delete narinfos and NARs of the binary cache that no channel, kept build or recent evaluation needs.") { dryRun };
        command.SetAction(async (result, cancellationToken) =>
        {
            await using var app = buildTool();
            await app.Services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
            var collector = app.Services.GetRequiredService<CacheGarbageCollector>();
            var report = result.GetValue(dryRun) ? await collector.PlanAsync(cancellationToken) : await collector.RunAsync(cancellationToken);
            foreach (var path in report.NarInfos)
            {
                Console.Out.WriteLine($"narinfo {path}");
            }
            foreach (var nar in report.Nars)
            {
                Console.Out.WriteLine($"nar {nar}");
            }
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(report.DryRun ? "Would delete" : "Deleted")} {report.NarInfos.Count} narinfo(s) and {report.Nars.Count} NAR(s), " +
                $"freeing {report.BytesFreed} bytes; {report.Live} path(s) kept from {report.Roots} root(s), {report.Young} within the grace period."));
            return 0;
        });
        return command;
    }
}
