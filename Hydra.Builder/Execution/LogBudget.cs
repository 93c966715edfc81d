using System.Text;

namespace Hydra.Builder.Execution;

/// <summary>
/// Counts the log bytes of one attempt against its limit (0 = none). Thread-safe, though Nix's lines arrive one
/// at a time. Once over, <see cref="Exceeded"/> stays true and every later line is refused.
/// </summary>
public sealed class LogBudget(long maxBytes)
{
    private long _used;
    private int _exceeded;

    public bool Exceeded => Volatile.Read(ref _exceeded) != 0;

    public long MaxBytes => maxBytes;

    /// <summary>Counts <paramref name="line"/> and its newline; false once the total passes the limit.</summary>
    public bool TryConsume(string line)
    {
        if (Exceeded)
        {
            return false;
        }

        var used = Interlocked.Add(ref _used, Encoding.UTF8.GetByteCount(line) + 1);
        if (maxBytes <= 0 || used <= maxBytes)
        {
            return true;
        }

        Interlocked.Exchange(ref _exceeded, 1);
        return false;
    }
}
