using System.Diagnostics;

namespace Hydra.Web.Channels;

/// <summary>xz compression through the <c>xz</c> program (.NET has no xz codec); for small texts such as <c>store-paths</c>.</summary>
internal static class Xz
{
    public static async Task<byte[]> CompressAsync(byte[] data, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("xz", "-c") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        await process.StandardInput.BaseStream.WriteAsync(data, cancellationToken);
        process.StandardInput.Close();
        await copy;
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0 ? output.ToArray() : throw new InvalidOperationException($"xz exited with {process.ExitCode}.");
    }
}
