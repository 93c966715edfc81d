using Hydra.Core.IO;

namespace Hydra.Queue.Logs;

/// <summary>A read-only stream of several streams one after the other; disposing it disposes them all.</summary>
internal sealed class ConcatenatedStream(IReadOnlyList<Stream> parts) : ReadOnlyStream
{
    private int _current;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_current < parts.Count)
        {
            var read = parts[_current].Read(buffer);
            if (read > 0 || buffer.Length == 0)
            {
                return read;
            }

            _current++;
        }

        return 0;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_current < parts.Count)
        {
            var read = await parts[_current].ReadAsync(buffer, cancellationToken);
            if (read > 0 || buffer.Length == 0)
            {
                return read;
            }

            _current++;
        }

        return 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var part in parts)
            {
                part.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var part in parts)
        {
            await part.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
