using System.Runtime.InteropServices;

namespace Hydra.Core.Nix;

/// <summary>
/// Zstandard decompression through the system's libzstd (the library Nix itself loads, so it is
/// present wherever Nix is). .NET 10 has no zstd codec and the managed ports are not restorable here.
/// </summary>
internal static class ZstdDecoder
{
    private const string Library = "libzstd.so.1";
    private const int ChunkSize = 128 * 1024;

    /// <summary>Decompresses every frame of <paramref name="compressed"/>; more than <paramref name="maxBytes"/> of output is refused.</summary>
    /// <exception cref="FormatException">The data is not zstd, is truncated, or decompresses to more than <paramref name="maxBytes"/>.</exception>
    public static byte[] Decompress(byte[] compressed, long maxBytes)
    {
        var context = ZSTD_createDStream();
        if (context == 0)
        {
            throw new InvalidOperationException("libzstd could not allocate a decompression context.");
        }
        var chunk = new byte[ChunkSize];
        var inputHandle = GCHandle.Alloc(compressed, GCHandleType.Pinned);
        var outputHandle = GCHandle.Alloc(chunk, GCHandleType.Pinned);
        try
        {
            using var result = new MemoryStream();
            var input = new ZstdBuffer { Data = inputHandle.AddrOfPinnedObject(), Size = (nuint)compressed.Length };
            var output = new ZstdBuffer { Data = outputHandle.AddrOfPinnedObject(), Size = ChunkSize };
            nuint hint;
            do
            {
                output.Pos = 0;
                hint = ZSTD_decompressStream(context, ref output, ref input);
                if (ZSTD_isError(hint) != 0)
                {
                    throw new FormatException($"The zstd data is corrupt: {Marshal.PtrToStringAnsi(ZSTD_getErrorName(hint))}.");
                }
                if (result.Length + (long)output.Pos > maxBytes)
                {
                    throw new FormatException($"The zstd data decompresses to more than {maxBytes} bytes.");
                }
                result.Write(chunk, 0, (int)output.Pos);
            }
            // A chunk left partly empty means the decoder has flushed all it can from the input given.
            while (input.Pos < input.Size || output.Pos == output.Size);

            // Zero means the last frame ended; anything else is the size of the input still expected.
            return hint == 0 ? result.ToArray() : throw new FormatException("The zstd data is truncated.");
        }
        finally
        {
            inputHandle.Free();
            outputHandle.Free();
            _ = ZSTD_freeDStream(context);
        }
    }

    /// <summary>libzstd's <c>ZSTD_inBuffer</c> and <c>ZSTD_outBuffer</c>, which have the same layout.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ZstdBuffer
    {
        public nint Data;
        public nuint Size;
        public nuint Pos;
    }

    [DllImport(Library)]
    private static extern nint ZSTD_createDStream();

    [DllImport(Library)]
    private static extern nuint ZSTD_freeDStream(nint context);

    [DllImport(Library)]
    private static extern nuint ZSTD_decompressStream(nint context, ref ZstdBuffer output, ref ZstdBuffer input);

    [DllImport(Library)]
    private static extern uint ZSTD_isError(nuint code);

    [DllImport(Library)]
    private static extern nint ZSTD_getErrorName(nuint code);
}
