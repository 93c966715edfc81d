using System.Net.Sockets;
using System.Text;

namespace Hydra.Bench.Cache;

/// <summary>
/// Downloads that start and then stop reading, as slow clients do: the server must hold them with bounded memory
/// (backpressure), not read the NAR into memory ahead of the client.
/// </summary>
internal static class StalledDownloads
{
    /// <summary>Opens <paramref name="count"/> downloads of <paramref name="path"/>, reads 64 KiB of each and leaves them open.</summary>
    public static async Task<List<TcpClient>> OpenAsync(Uri server, string path, int count)
    {
        var clients = new List<TcpClient>();
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < count; i++)
        {
            var client = new TcpClient { ReceiveBufferSize = 64 * 1024 };
            await client.ConnectAsync(server.Host, server.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\n\r\n"));
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read));
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            clients.Add(client);
        }

        return clients;
    }
}
