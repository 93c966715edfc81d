using Hydra.Builder.Worker;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>A store file system whose free space the test sets, counting how often it was looked at.</summary>
internal sealed class FakeDisk(long availableBytes) : IFreeDiskSpace
{
    private long _available = availableBytes;
    private int _checks;

    public int Checks => Volatile.Read(ref _checks);

    public long Available
    {
        get => Interlocked.Read(ref _available);
        set => Interlocked.Exchange(ref _available, value);
    }

    public long? AvailableBytes(string path)
    {
        Interlocked.Increment(ref _checks);
        return Available;
    }
}
