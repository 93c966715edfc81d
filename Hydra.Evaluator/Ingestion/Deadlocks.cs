using Npgsql;

namespace Hydra.Evaluator.Ingestion;

/// <summary>Retries a unit of work that lost a deadlock or serialization conflict; it must be safe to run again.</summary>
internal static class Deadlocks
{
    public static async Task<T> RetryAsync<T>(int maxTries, Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work();
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < maxTries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt * Random.Shared.Next(1, 4)));
            }
        }
    }
}
