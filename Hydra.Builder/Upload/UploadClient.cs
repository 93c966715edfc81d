using System.Net.Http.Headers;
using System.Text;

namespace Hydra.Builder.Upload;

/// <summary>How uploads authenticate: the worker token as the HTTP Basic password, as <c>nix copy</c> sent it from a netrc file.</summary>
public static class UploadClient
{
    public static AuthenticationHeaderValue Authorization(string token) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("worker:" + token)));
}
