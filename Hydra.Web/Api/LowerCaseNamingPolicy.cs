using System.Text.Json;

namespace Hydra.Web.Api;

/// <summary>Hydra's JSON keys are the column names run together: <c>DisplayName</c> becomes <c>displayname</c>.</summary>
internal sealed class LowerCaseNamingPolicy : JsonNamingPolicy
{
    public override string ConvertName(string name) => name.ToLowerInvariant();
}
