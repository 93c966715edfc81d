using Npgsql;

namespace Hydra.Web.Api.Push;

/// <summary>
/// The delivery ids already handled, in PostgreSQL so every web replica sees them. A delivery counts once
/// until its row expires; expired rows are deleted as deliveries arrive (the expiry index keeps that cheap).
/// </summary>
internal sealed class WebhookDeliveries(NpgsqlDataSource dataSource, TimeProvider clock)
{
    /// <summary>True when this delivery is new (and is now recorded); false for a replay.</summary>
    public async Task<bool> RecordAsync(string forge, string deliveryId, TimeSpan retention, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Command("DELETE FROM webhook_deliveries WHERE expires_at < $1", now));
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO webhook_deliveries (forge, delivery_id, received_at, expires_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (forge, delivery_id) DO UPDATE SET received_at = excluded.received_at, expires_at = excluded.expires_at
            WHERE webhook_deliveries.expires_at < excluded.received_at
            """, forge, deliveryId, now, now + retention));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return batch.BatchCommands[1].RecordsAffected == 1;
    }

    /// <summary>Forgets a delivery whose handling failed, so the forge's retry is handled.</summary>
    public async Task ForgetAsync(string forge, string deliveryId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM webhook_deliveries WHERE forge = $1 AND delivery_id = $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = forge });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = deliveryId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }
        return command;
    }
}
