using Hydra.Core.Processes;

namespace Hydra.Builder.Nix.Serve;

/// <summary>
/// One long-lived <c>nix-store --serve</c> process: the questions a step asks its store after the build (path
/// infos, NARs) without starting a Nix process per question. Not thread-safe: one caller at a time
/// (<see cref="NixServePool"/> hands sessions out). A call that fails or is cancelled half-way leaves the
/// stream out of step, so the session marks itself <see cref="IsBroken"/> and must be disposed.
/// </summary>
public sealed class NixServeSession : IAsyncDisposable
{
    private readonly NixChildProcess _nix;
    private readonly Stream _input;
    private readonly Stream _output;

    private NixServeSession(NixChildProcess nix)
    {
        _nix = nix;
        _input = nix.Input;
        _output = nix.Output;
    }

    /// <summary>The minor protocol version the Nix on the other side speaks.</summary>
    public int ServerMinor { get; private set; }

    /// <summary>A call failed half-way (or Nix exited): the session cannot be used again.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Starts <c>nix-store --serve</c> and exchanges the greeting.</summary>
    /// <param name="onStandardError">Nix's messages (warnings, errors), one line at a time.</param>
    /// <exception cref="NixProcessStartException">nix-store could not be started.</exception>
    /// <exception cref="InvalidDataException">The other side does not speak a serve protocol we understand.</exception>
    public static async Task<NixServeSession> StartAsync(Action<string> onStandardError, CancellationToken cancellationToken)
    {
        var session = new NixServeSession(NixChildProcess.Start("nix-store", ["--serve"], NixEnvironment.Overrides([]), onStandardError));
        try
        {
            await session.HandshakeAsync(cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Path infos of the given valid paths (<c>cmdQueryPathInfos</c>); paths that are not valid are left out,
    /// as Nix does.
    /// </summary>
    public Task<IReadOnlyList<ServePathInfo>> QueryPathInfosAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            ServeWire.WriteNumber(_input, ServeProtocol.QueryPathInfos);
            ServeWire.WriteStrings(_input, paths);
            await _input.FlushAsync(cancellationToken);
            var infos = new List<ServePathInfo>();
            while (await ServeWire.ReadStringAsync(_output, cancellationToken) is { Length: > 0 } path)
            {
                var deriver = await ServeWire.ReadStringAsync(_output, cancellationToken);
                var references = await ServeWire.ReadStringsAsync(_output, cancellationToken);
                await ServeWire.ReadNumberAsync(_output, cancellationToken); // download size: the NAR size again
                var narSize = (long)await ServeWire.ReadNumberAsync(_output, cancellationToken);
                var narHash = await ServeWire.ReadStringAsync(_output, cancellationToken);
                var ca = await ServeWire.ReadStringAsync(_output, cancellationToken);
                await ServeWire.ReadStringsAsync(_output, cancellationToken); // signatures: the farm signs, not us
                infos.Add(new ServePathInfo(path, deriver.Length > 0 ? deriver : null, references, narSize, narHash, ca.Length > 0 ? ca : null));
            }

            return (IReadOnlyList<ServePathInfo>)infos;
        });

    /// <summary>
    /// The NAR of <paramref name="path"/> (<c>cmdDumpStorePath</c>), passed to <paramref name="onChunk"/> as it
    /// arrives. Nix sends the NAR without a length, so the caller gives the NAR size from the path's info.
    /// </summary>
    public Task DumpStorePathAsync(
        string path, long narSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> onChunk, CancellationToken cancellationToken) =>
        GuardAsync(async () =>
        {
            ServeWire.WriteNumber(_input, ServeProtocol.DumpStorePath);
            ServeWire.WriteString(_input, path);
            await _input.FlushAsync(cancellationToken);
            var buffer = new byte[64 * 1024];
            for (var left = narSize; left > 0;)
            {
                var read = await _output.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (read == 0)
                {
                    throw new EndOfStreamException($"nix-store --serve stopped {left} bytes before the end of the NAR of {path}.");
                }

                await onChunk(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }

            return true;
        });

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        await _nix.DisposeAsync();
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        ServeWire.WriteNumber(_input, ServeProtocol.ClientMagic);
        await _input.FlushAsync(cancellationToken);
        var magic = await ServeWire.ReadNumberAsync(_output, cancellationToken);
        if (magic != ServeProtocol.ServerMagic)
        {
            throw new InvalidDataException($"nix-store --serve answered the greeting with 0x{magic:x}, not 0x{ServeProtocol.ServerMagic:x}.");
        }

        var version = await ServeWire.ReadNumberAsync(_output, cancellationToken);
        if (ServeProtocol.Major(version) != ServeProtocol.Major(ServeProtocol.ClientVersion) || ServeProtocol.Minor(version) < ServeProtocol.MinServerMinor)
        {
            throw new InvalidDataException($"nix-store --serve speaks protocol 0x{version:x}; hydra-builder needs 2.{ServeProtocol.MinServerMinor} or later.");
        }

        ServerMinor = ServeProtocol.Minor(version);
        ServeWire.WriteNumber(_input, ServeProtocol.ClientVersion);
        await _input.FlushAsync(cancellationToken);
    }

    private async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        ObjectDisposedException.ThrowIf(IsBroken, this);
        try
        {
            return await call();
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }
}
