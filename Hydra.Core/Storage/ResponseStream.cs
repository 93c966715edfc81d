using Hydra.Core.IO;

namespace Hydra.Core.Storage;

/// <summary>An HTTP response's body that disposes the response with it, so a caller holding only the stream frees the connection.</summary>
internal sealed class ResponseStream(Stream body, HttpResponseMessage response) : ReadOnlyStream
{
    public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => body.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        body.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        body.ReadAsync(buffer, offset, count, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }
}
