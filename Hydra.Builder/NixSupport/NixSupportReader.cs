using System.Security.Cryptography;
using System.Text;
using Hydra.Core.Nix;
using Hydra.Core.Protocol;

namespace Hydra.Builder.NixSupport;

/// <summary>
/// Reads the <c>nix-support/</c> files of a built step's outputs, as Hydra does after a build:
/// <c>failed</c> (the build failed but kept its outputs), <c>hydra-build-products</c>, <c>hydra-metrics</c> and
/// <c>hydra-release-name</c>. Only regular files count, each read up to <see cref="MaxFileBytes"/>. A product must
/// name an existing entry inside one of the outputs (checked lexically and then entry by entry, never following
/// a symlink); regular files get their size and SHA-256. Without any products file, each directory output is a
/// <c>nix-build</c> product.
/// </summary>
public static class NixSupportReader
{
    /// <summary>Longest part of a nix-support file that is read; the rest is ignored.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <param name="outputs">Output name to store path.</param>
    public static async Task<NixSupportResult> ReadAsync(IReadOnlyDictionary<string, string> outputs, CancellationToken cancellationToken)
    {
        var ordered = outputs.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
        var outputPaths = ordered.Select(o => o.Value).ToList();
        var failed = false;
        var declaredProducts = false;
        var products = new List<BuildProductInfo>();
        var metrics = new List<BuildMetricInfo>();
        string? releaseName = null;

        foreach (var (_, output) in ordered)
        {
            failed |= StoreEntries.Lstat(output, output + "/nix-support/failed") != StoreEntry.Missing;

            if (await ReadSupportFileAsync(output, "hydra-build-products", cancellationToken) is { } productLines)
            {
                declaredProducts = true;
                foreach (var line in Lines(productLines))
                {
                    if (ProductLine.TryParse(line) is { } parsed && await ResolveAsync(parsed, outputPaths, cancellationToken) is { } product)
                    {
                        products.Add(product);
                    }
                }
            }

            if (await ReadSupportFileAsync(output, "hydra-metrics", cancellationToken) is { } metricLines)
            {
                metrics.AddRange(Lines(metricLines).Select(MetricLine.TryParse).OfType<BuildMetricInfo>());
            }

            if (await ReadSupportFileAsync(output, "hydra-release-name", cancellationToken) is { } name)
            {
                releaseName = NixSupportRules.ValidReleaseName(name.Trim());
            }
        }

        if (!declaredProducts)
        {
            products.AddRange(ordered
                .Where(o => StoreEntries.Lstat(o.Value, o.Value) == StoreEntry.Directory)
                .Select(o => new BuildProductInfo("nix-build", o.Key == "out" ? "" : o.Key, o.Value, StoreName(o.Value), "", null, null)));
        }

        return new NixSupportResult(
            failed, NixSupportRules.ValidProducts(products, outputPaths), NixSupportRules.ValidMetrics(metrics), releaseName);
    }

    private static async Task<BuildProductInfo?> ResolveAsync(ProductLine line, IReadOnlyList<string> outputPaths, CancellationToken cancellationToken)
    {
        if (!Path.IsPathFullyQualified(line.Path) || line.Path.Length > NixSupportRules.MaxFieldLength)
        {
            return null;
        }

        // Lexical, like Nix's canonPath: ".." cannot climb out of the output, and no symlink is resolved.
        var path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(line.Path));
        var output = outputPaths.FirstOrDefault(o => NixSupportRules.IsInsideOutputs(path, [o]));
        if (output is null)
        {
            return null;
        }

        var kind = StoreEntries.Lstat(output, path);
        if (kind == StoreEntry.Missing)
        {
            return null;
        }

        var name = outputPaths.Contains(path) ? "" : Path.GetFileName(path);
        if (!NixSupportRules.ProductName().IsMatch(name))
        {
            name = "";
        }

        long? size = null;
        string? sha256 = null;
        if (kind == StoreEntry.Regular)
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            size = file.Length;
            sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
        }

        return new BuildProductInfo(line.Type, line.Subtype, path, name, line.DefaultPath, size, sha256);
    }

    /// <summary>The start of <c>output/nix-support/file</c> when it is a regular file, else null.</summary>
    private static async Task<string?> ReadSupportFileAsync(string output, string file, CancellationToken cancellationToken)
    {
        var path = output + "/nix-support/" + file;
        if (StoreEntries.Lstat(output, path) != StoreEntry.Regular)
        {
            return null;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 14, useAsync: true);
        var buffer = new byte[(int)Math.Min(stream.Length, MaxFileBytes)];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        var text = Encoding.UTF8.GetString(buffer);
        // A file cut at the cap ends inside a line: drop that partial line.
        return stream.Length > MaxFileBytes ? text[..(text.LastIndexOf('\n') + 1)] : text;
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Where(l => l.Trim().Length > 0);

    /// <summary>"/nix/store/hash-hello-2.10" -> "hello-2.10".</summary>
    private static string StoreName(string storePath) =>
        StorePath.TryParse(storePath, out var parsed) ? parsed.Name : Path.GetFileName(storePath);
}
