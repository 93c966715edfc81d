using Hydra.Core.Storage;
using Hydra.Testing;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// The whole farm with <c>Hydra:Cache:Storage = s3</c> against <see cref="FakeS3Server"/> (a loopback S3 that checks every
/// signature): nothing of the cache may end up in the data directory.
/// </summary>
public sealed class S3Farm : Farm, IAsyncLifetime
{
    public const string Bucket = "hydra-e2e";
    public const string Prefix = "farm/";
    private static readonly S3Credentials s_credentials = new("AKIDHYDRAE2E", "hydra-e2e-secret/key", "us-east-1");

    public FakeS3Server S3 { get; private set; } = null!;

    protected override IEnumerable<string> ExtraArguments =>
    [
        "--Hydra:Cache:Storage=s3",
        $"--Hydra:Cache:S3:Endpoint={S3.Endpoint}",
        $"--Hydra:Cache:S3:Bucket={Bucket}",
        $"--Hydra:Cache:S3:Prefix={Prefix}",
        $"--Hydra:Cache:S3:Region={s_credentials.Region}",
        $"--Hydra:Cache:S3:AccessKeyId={s_credentials.AccessKeyId}",
        $"--Hydra:Cache:S3:SecretAccessKey={s_credentials.SecretAccessKey}",
        "--Hydra:Gc:GracePeriod=00:00:00",
    ];

    /// <summary>Whether the bucket holds <paramref name="key"/> (a cache key such as <c>&lt;hash&gt;.narinfo</c>).</summary>
    public bool BucketHas(string key) => S3.Objects.ContainsKey($"{Bucket}/{Prefix}{key}");

    public new async Task InitializeAsync()
    {
        S3 = await FakeS3Server.StartAsync(s_credentials);
        await base.InitializeAsync();
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await S3.DisposeAsync();
    }
}
