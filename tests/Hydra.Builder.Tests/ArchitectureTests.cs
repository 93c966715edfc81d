using Hydra.Builder.Worker;

namespace Hydra.Builder.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Builder_does_not_reference_EF_Core_or_Npgsql()
    {
        var assembly = typeof(WorkerService).Assembly;
        Assert.Equal("hydra-builder", assembly.GetName().Name);

        var forbidden = assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? "")
            .Where(n => n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                || n.StartsWith("Npgsql", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(forbidden);
    }
}
