using System.Text.Json.Serialization;

namespace Hydra.Web.Api.Evals;

/// <summary>
/// Hydra's JobsetEval JSON. <c>hasnewbuilds</c> is 0/1 as Hydra's own server writes it (see the
/// yaml's example), times are whole seconds. <see cref="Comparison"/> is only written for
/// <c>/eval/{id}?compare=...</c>, so the plain shape stays Hydra's.
/// </summary>
internal sealed record EvalJson(
    long Id,
    long Timestamp,
    long CheckoutTime,
    long EvalTime,
    int HasNewBuilds,
    string? Flake,
    IReadOnlyList<long> Builds,
    IReadOnlyDictionary<string, EvalInputJson> JobsetEvalInputs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EvalComparisonJson? Comparison = null);
