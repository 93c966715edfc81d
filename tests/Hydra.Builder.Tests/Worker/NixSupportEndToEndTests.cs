using System.Security.Cryptography;
using System.Text;
using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Worker;

/// <summary>What real builds declare in <c>$out/nix-support</c>, as the worker reports it.</summary>
public sealed class NixSupportEndToEndTests : RunningWorkerTests
{
    [Fact]
    public async Task Products_metrics_and_release_name_are_reported_and_hostile_lines_ignored()
    {
        var drv = await TestNix.InstantiateAsync(
            """
            mkdir -p $out/nix-support $out/docs
            echo hello > $out/hello.txt
            echo spaced > "$out/my file.txt"
            echo '<b>' > "$out/<b>.txt"
            ln -s /etc/passwd $out/passwd-link
            ln -s /etc $out/etc-link
            cat > $out/nix-support/hydra-build-products <<EOF
            file binary-dist $out/hello.txt
            doc manual $out/docs index.html
            file binary-dist "$out/my file.txt"
            file source-dist "$out/<b>.txt"
            file link $out/passwd-link
            file evil /etc/passwd
            file evil $out/../../etc/passwd
            file evil $out/etc-link/passwd
            file evil $out/missing.txt
            file <script> $out/hello.txt
            not a product line
            EOF
            printf 'time 12.5 s\nsize 1024\nbad!name 1\nnotanumber abc\nnan nan\nodd 3 <unit>\ntime 13.5 s\n' > $out/nix-support/hydra-metrics
            echo demo-1.0 > $out/nix-support/hydra-release-name
            """);

        var (finish, output) = await BuildAsync(61, drv);

        Assert.Equal(StepOutcome.Succeeded, finish.Outcome);
        Assert.Equal("demo-1.0", finish.ReleaseName);
        var products = finish.Products!;
        Assert.Equal(
            [$"{output}/hello.txt", $"{output}/docs", $"{output}/my file.txt", $"{output}/<b>.txt", $"{output}/passwd-link"],
            products.Select(p => p.Path));

        var hello = products[0];
        Assert.Equal(("file", "binary-dist", "hello.txt", 6L), (hello.Type, hello.Subtype, hello.Name, hello.FileSize!.Value));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("hello\n"))), hello.Sha256);
        var docs = products[1];
        Assert.Equal(("doc", "manual", "docs", "index.html"), (docs.Type, docs.Subtype, docs.Name, docs.DefaultPath));
        Assert.Null(docs.FileSize);
        Assert.Null(docs.Sha256);
        Assert.Equal("my file.txt", products[2].Name);
        // A quoted path may hold any character, but a name outside Hydra's alphabet is dropped.
        Assert.Equal("", products[3].Name);
        // A symlink is an entry of the output like any other, but it is never followed.
        Assert.Null(products[4].Sha256);

        Assert.Equal([("time", 13.5, "s"), ("size", 1024.0, ""), ("odd", 3.0, "")], finish.Metrics!.Select(m => (m.Name, m.Value, m.Unit)));
    }

    [Fact]
    public async Task A_build_that_marks_itself_failed_keeps_and_uploads_its_outputs()
    {
        var drv = await TestNix.InstantiateAsync("mkdir -p $out/nix-support; echo tests failed > $out/report; touch $out/nix-support/failed");

        var (finish, output) = await BuildAsync(62, drv);

        Assert.Equal(StepOutcome.FailedWithOutput, finish.Outcome);
        Assert.Equal(0, finish.ExitCode);
        Assert.Equal(output, Assert.Single(finish.Outputs).Path);
        Assert.True(Server.CacheHasFile(Path.GetFileName(output)[..32] + ".narinfo"), "the outputs of a failed-with-output build were not uploaded");
        // No products file: the directory output itself is the product, as in Hydra.
        var product = Assert.Single(finish.Products!);
        Assert.Equal(("nix-build", "", output), (product.Type, product.Subtype, product.Path));
    }
}
