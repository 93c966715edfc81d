using System.Text.Json.Serialization;

namespace Hydra.Web.Api.Evals;

/// <summary>One page of <c>/jobset/{p}/{j}/evals</c>; links are relative query strings ("?page=2") as in Hydra.</summary>
internal sealed record EvalListJson(
    IReadOnlyList<EvalJson> Evals,
    string First,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Previous,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Next,
    string Last);
