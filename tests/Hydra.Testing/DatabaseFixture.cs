using Xunit;

namespace Hydra.Testing;

/// <summary>xunit class fixture: one fresh migrated database per test class.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestDatabase.CreateAsync();

    public Task DisposeAsync() => TestDatabase.DropAsync(ConnectionString);
}
