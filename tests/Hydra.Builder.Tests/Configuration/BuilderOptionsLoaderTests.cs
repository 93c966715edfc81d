using Hydra.Builder.Configuration;

namespace Hydra.Builder.Tests.Configuration;

public sealed class BuilderOptionsLoaderTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("hydra-builder-options-");
    private readonly Dictionary<string, string> _environment = [];

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Flags_alone_with_defaults()
    {
        var result = Load(new BuilderCommandLineValues { Server = "https://hydra.example.org", Token = "t0k" });

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var options = result.Options!;
        Assert.Equal(new Uri("https://hydra.example.org"), options.Server);
        Assert.Equal("t0k", options.Token);
        Assert.Equal(["x86_64-linux"], options.Systems);
        Assert.Empty(options.Features);
        Assert.Equal(1, options.MaxJobs);
        Assert.Equal(Path.GetFullPath(".hydra-builder"), options.WorkDir);
        Assert.Equal(TimeSpan.FromSeconds(600), options.DrainTimeout);
        Assert.Empty(options.MandatoryFeatures);
        Assert.Equal(1, options.SpeedFactor);
        Assert.Equal(1024, options.MinFreeDiskMiB);
        Assert.Equal("/nix/store", options.StoreDir);
    }

    [Fact]
    public void Flags_override_the_config_file()
    {
        var config = WriteFile("builder.json", """
            {
              "server": "http://file.example",
              "token": "from-file",
              "systems": ["aarch64-linux"],
              "features": ["kvm"],
              "maxJobs": 4,
              "name": "file-name",
              "workDir": "/var/lib/hydra-builder",
              "drainTimeoutSeconds": 30,
              "mandatoryFeatures": ["benchmark"],
              "speedFactor": 4,
              "minFreeDiskMiB": 2048
            }
            """);

        var result = Load(new BuilderCommandLineValues
        {
            ConfigFile = config,
            Server = "http://flag.example",
            Systems = "x86_64-linux, aarch64-linux",
            MaxJobs = 2,
            SpeedFactor = 2.5,
        });

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var options = result.Options!;
        Assert.Equal(new Uri("http://flag.example"), options.Server);
        Assert.Equal("from-file", options.Token);
        Assert.Equal(["x86_64-linux", "aarch64-linux"], options.Systems);
        Assert.Equal(["kvm"], options.Features);
        Assert.Equal(2, options.MaxJobs);
        Assert.Equal("file-name", options.Name);
        Assert.Equal("/var/lib/hydra-builder", options.WorkDir);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
        Assert.Equal(["benchmark"], options.MandatoryFeatures);
        Assert.Equal(2.5, options.SpeedFactor);
        Assert.Equal(2048, options.MinFreeDiskMiB);
    }

    [Fact]
    public void The_store_directory_follows_NIX_STORE_DIR()
    {
        _environment["NIX_STORE_DIR"] = "/srv/nix/store";

        Assert.Equal("/srv/nix/store", Load(new BuilderCommandLineValues { Server = "http://h", Token = "t" }).Options!.StoreDir);
    }

    [Fact]
    public void Token_precedence_is_flag_then_environment_then_file()
    {
        var tokenFile = WriteFile("token", "from-token-file\n");
        var config = WriteFile("builder.json", """{ "server": "http://h", "token": "from-config" }""");

        Assert.Equal("from-config", Load(new BuilderCommandLineValues { ConfigFile = config }).Options!.Token);

        _environment["HYDRA_BUILDER_TOKEN"] = "from-env";
        Assert.Equal("from-env", Load(new BuilderCommandLineValues { ConfigFile = config }).Options!.Token);
        Assert.Equal("from-token-file", Load(new BuilderCommandLineValues { ConfigFile = config, TokenFile = tokenFile }).Options!.Token);
        Assert.Equal("from-flag", Load(new BuilderCommandLineValues { ConfigFile = config, Token = "from-flag" }).Options!.Token);
    }

    [Fact]
    public void Token_file_from_the_config_file_is_read_and_trimmed()
    {
        var tokenFile = WriteFile("token", "  abc  \n");
        var config = WriteFile("builder.json", $$"""{ "server": "http://h", "tokenFile": "{{tokenFile}}" }""");

        Assert.Equal("abc", Load(new BuilderCommandLineValues { ConfigFile = config }).Options!.Token);
    }

    [Fact]
    public void Missing_server_and_token_are_both_reported()
    {
        var result = Load(new BuilderCommandLineValues());

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Contains("--server", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("HYDRA_BUILDER_TOKEN", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://hydra.example")]
    public void Server_must_be_an_http_url(string server)
    {
        var result = Load(new BuilderCommandLineValues { Server = server, Token = "t" });

        Assert.Contains(result.Errors, e => e.Contains("http(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Token_and_token_file_together_is_an_error()
    {
        var result = Load(new BuilderCommandLineValues { Server = "http://h", Token = "t", TokenFile = "/x" });

        Assert.Contains(result.Errors, e => e.Contains("not both", StringComparison.Ordinal));
    }

    [Fact]
    public void Unreadable_token_file_and_bad_numbers_are_errors()
    {
        var result = Load(new BuilderCommandLineValues
        {
            Server = "http://h",
            TokenFile = Path.Combine(_directory.FullName, "missing"),
            MaxJobs = 0,
            DrainTimeoutSeconds = -1,
            SpeedFactor = 0,
            MinFreeDiskMiB = -5,
        });

        Assert.Equal(5, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Contains("--speed-factor", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("--min-free-disk", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("Cannot read token file", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("--max-jobs", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Contains("--drain-timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_config_json_is_reported()
    {
        var config = WriteFile("builder.json", "{ server: ");

        var result = Load(new BuilderCommandLineValues { ConfigFile = config, Server = "http://h", Token = "t" });

        Assert.Contains(result.Errors, e => e.Contains("not valid JSON", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Command_line_flags_reach_the_values()
    {
        BuilderCommandLineValues? seen = null;
        var root = BuilderCommandLine.Create((values, _) =>
        {
            seen = values;
            return Task.FromResult(0);
        });

        var exitCode = await root.Parse(
            ["--server", "http://h", "--token-file", "/t", "--systems", "x86_64-linux,aarch64-linux", "--features", "kvm",
             "--max-jobs", "3", "--name", "n", "--work-dir", "/w", "--config", "/c.json", "--drain-timeout", "60",
             "--mandatory-features", "local,benchmark", "--speed-factor", "1.5", "--min-free-disk", "512"]).InvokeAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal(
            new BuilderCommandLineValues
            {
                Server = "http://h", TokenFile = "/t", Systems = "x86_64-linux,aarch64-linux", Features = "kvm",
                MaxJobs = 3, Name = "n", WorkDir = "/w", ConfigFile = "/c.json", DrainTimeoutSeconds = 60,
                MandatoryFeatures = "local,benchmark", SpeedFactor = 1.5, MinFreeDiskMiB = 512,
            },
            seen);
    }

    private BuilderOptionsResult Load(BuilderCommandLineValues flags) =>
        BuilderOptionsLoader.Load(flags, name => _environment.GetValueOrDefault(name), "x86_64-linux");

    private string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        return path;
    }
}
