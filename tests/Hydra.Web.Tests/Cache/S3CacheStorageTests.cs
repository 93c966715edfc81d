using System.Text;
using Hydra.Testing;
using Hydra.Core.Storage;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Tests.Cache;

/// <summary>The S3 storage against a local server that checks every signature, and the signer against AWS's published examples.</summary>
public sealed class S3CacheStorageTests : IAsyncLifetime
{
    private static readonly S3Credentials s_credentials = new("AKIDHYDRATEST", "hydra-test-secret/key+value", "us-east-1");
    private FakeS3Server _s3 = null!;

    public async Task InitializeAsync() => _s3 = await FakeS3Server.StartAsync(s_credentials);

    public async Task DisposeAsync() => await _s3.DisposeAsync();

    [Fact]
    public void Signer_matches_the_aws_documentation_examples()
    {
        var credentials = new S3Credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1");
        var headers = new Dictionary<string, string>
        {
            ["host"] = "examplebucket.s3.amazonaws.com",
            ["range"] = "bytes=0-9",
            ["x-amz-content-sha256"] = SigV4.EmptyPayloadHash,
            ["x-amz-date"] = "20130524T000000Z",
        };

        var signature = SigV4.Signature("GET", "/test.txt", "", headers, SigV4.EmptyPayloadHash, "20130524T000000Z", credentials);
        var presigned = SigV4.Presign(new Uri("https://examplebucket.s3.amazonaws.com/test.txt"), "20130524T000000Z", TimeSpan.FromDays(1), credentials);

        Assert.Equal("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", signature);
        Assert.EndsWith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", presigned.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objects_are_written_read_listed_and_deleted_with_checked_signatures()
    {
        var storage = Storage(s_credentials.SecretAccessKey);
        var nar = Encoding.UTF8.GetBytes("nar bytes " + Guid.NewGuid());
        var narKey = "nar/" + CacheProtocolTests.Name(nar) + ".nar";
        var hash = CacheProtocolTests.RandomHashPart();
        var narInfo = CacheProtocolTests.NarInfoText(hash, narKey, "none", nar, nar);

        Assert.Equal(CacheWriteResult.Stored, await storage.WriteAsync(narKey, new MemoryStream(nar), 1 << 20, CacheProtocolTests.Name(nar), default));
        Assert.Equal(CacheWriteResult.Stored, await storage.WriteAsync(hash + ".narinfo", new MemoryStream(Encoding.UTF8.GetBytes(narInfo)), 1 << 20, null, default));

        Assert.Equal(narInfo, await storage.ReadTextAsync(hash + ".narinfo", default));
        Assert.Equal(nar.Length, await storage.LengthAsync(narKey, default));
        var redirect = Assert.IsType<CacheObject.Redirect>(await storage.GetAsync(narKey, default));
        using (var client = new HttpClient())
        {
            Assert.Equal(nar, await client.GetByteArrayAsync(redirect.Location));
        }

        var listed = Assert.Single(await storage.ListAsync("", default).ToListAsync());
        Assert.Equal(hash + ".narinfo", listed.Key);
        Assert.Equal(Encoding.UTF8.GetByteCount(narInfo), listed.Size);
        Assert.InRange(listed.Modified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal([(narKey, (long)nar.Length)], (await storage.ListAsync("nar/", default).ToListAsync()).Select(e => (e.Key, e.Size)));
        await using (var read = await storage.OpenReadAsync(narKey, default))
        {
            using var copy = new MemoryStream();
            await read!.CopyToAsync(copy);
            Assert.Equal(nar, copy.ToArray());
        }

        await storage.DeleteAsync(hash + ".narinfo", default);
        await storage.DeleteAsync(narKey, default);
        Assert.Null(await storage.ReadTextAsync(hash + ".narinfo", default));
        Assert.Null(await storage.OpenReadAsync(narKey, default));
        Assert.Null(await storage.GetAsync(narKey, default));
        Assert.Empty(_s3.Objects);
        Assert.Equal(0, _s3.Refused);
    }

    [Fact]
    public async Task Refused_writes_leave_nothing_in_the_bucket()
    {
        var storage = Storage(s_credentials.SecretAccessKey);
        var nar = Encoding.UTF8.GetBytes("promised " + Guid.NewGuid());

        var mismatch = await storage.WriteAsync("nar/x.nar", new MemoryStream("other"u8.ToArray()), 1 << 20, CacheProtocolTests.Name(nar), default);
        var tooLarge = await storage.WriteAsync("nar/y.nar", new MemoryStream(nar), 4, null, default);

        Assert.Equal(CacheWriteResult.HashMismatch, mismatch);
        Assert.Equal(CacheWriteResult.TooLarge, tooLarge);
        Assert.Empty(_s3.Objects);
    }

    [Fact]
    public async Task A_wrong_secret_key_is_refused_by_the_server()
    {
        var storage = Storage("not-the-secret");

        await Assert.ThrowsAsync<HttpRequestException>(() => storage.WriteAsync("log/a.drv", new MemoryStream("x"u8.ToArray()), 10, null, default));

        Assert.Equal(1, _s3.Refused);
        Assert.Empty(_s3.Objects);
    }

    private S3CacheStorage Storage(string secret) =>
        new(new HttpClient(), Options.Create(new CacheStorageOptions
        {
            Storage = "s3",
            S3 = new S3StorageOptions
            {
                Endpoint = _s3.Endpoint, Bucket = "hydra-cache", Region = s_credentials.Region,
                AccessKeyId = s_credentials.AccessKeyId, SecretAccessKey = secret, Prefix = "farm/",
            },
        }), TimeProvider.System);
}
