using Hydra.Core.Data.Entities;

namespace Hydra.Evaluator.Inputs;

/// <summary>
/// The environment for the git processes of one fetch. Credentials go only into the environment
/// (<c>GIT_CONFIG_*</c> for a token's HTTP header, <c>GIT_SSH_COMMAND</c> naming a 0600 key file),
/// never into arguments, which other users of the machine can read in <c>/proc</c> and which end up
/// in error messages. <see cref="Redact"/> removes the secret and URL passwords from any text.
/// Disposing deletes the key file.
/// </summary>
internal sealed class GitSession : IDisposable
{
    private const string Hidden = "***";
    private readonly string? _secret;
    private readonly string? _keyFile;

    private GitSession(string url, string? secret, string? keyFile, Dictionary<string, string> environment)
    {
        Url = RedactUrl(url);
        _secret = secret;
        _keyFile = keyFile;
        Environment = environment;
    }

    /// <summary>The input URL with any password replaced, safe for messages.</summary>
    public string Url { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public static GitSession Create(string url, GitCredential? credential)
    {
        var ssh = "ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new";
        var config = new List<(string Key, string Value)>();
        string? keyFile = null;
        if (IsLocal(url))
        {
            // git refuses local submodules by default (CVE-2022-39253); a local superproject may use them.
            config.Add(("protocol.file.allow", "always"));
        }
        switch (credential?.Kind)
        {
            case InputSecret.Token:
                // Scoped to the input's host, so submodules elsewhere never see the token.
                config.Add(($"http.{Origin(url)}/.extraHeader", $"Authorization: Bearer {credential.Secret.Trim()}"));
                break;
            case InputSecret.SshKey:
                keyFile = WriteKeyFile(credential.Secret);
                ssh += $" -o IdentitiesOnly=yes -i '{keyFile}'";
                break;
            case null:
                break;
            default:
                throw new InputFetchException($"Unknown credential kind '{credential.Kind}'; use ssh-key or token.");
        }

        var environment = new Dictionary<string, string>
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_ASKPASS"] = "/bin/false",
            ["GIT_SSH_COMMAND"] = ssh,
            ["GIT_CONFIG_COUNT"] = config.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        for (var i = 0; i < config.Count; i++)
        {
            environment[$"GIT_CONFIG_KEY_{i}"] = config[i].Key;
            environment[$"GIT_CONFIG_VALUE_{i}"] = config[i].Value;
        }
        return new GitSession(url, credential?.Secret.Trim(), keyFile, environment);
    }

    public string Redact(string text)
    {
        if (!string.IsNullOrEmpty(_secret))
        {
            text = text.Replace(_secret, Hidden, StringComparison.Ordinal);
        }
        return RedactUrl(text);
    }

    public void Dispose()
    {
        if (_keyFile is not null && File.Exists(_keyFile))
        {
            File.Delete(_keyFile);
        }
    }

    /// <summary>"https://user:pw@host/x" becomes "https://user:***@host/x", wherever it appears in <paramref name="text"/>.</summary>
    private static string RedactUrl(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"(\w+://[^/\s:@]+):[^/\s@]+@", $"$1:{Hidden}@");

    private static bool IsLocal(string url) => url.StartsWith("file://", StringComparison.Ordinal) || url.StartsWith('/');

    private static string Origin(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri.GetLeftPart(UriPartial.Authority)
            : throw new InputFetchException("A token credential needs an http(s) git URL; use an ssh-key credential for ssh URLs.");

    private static string WriteKeyFile(string key)
    {
        var directory = Path.Combine(Path.GetTempPath(), "hydra-git-keys");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, Guid.NewGuid().ToString("N"));
        // Created 0600 from the start: ssh refuses keys others can read, and nobody else should.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream))
        {
            // ssh rejects a key file without its final newline.
            writer.Write(key.ReplaceLineEndings("\n").TrimEnd('\n') + "\n");
        }
        return path;
    }
}
