namespace Hydra.Web.Api.Evals;

/// <summary>
/// Hydra's JobsetEval JSON. <c>hasnewbuilds</c> is 0/1 as Hydra's own server writes it (see the
/// yaml's example), times are whole seconds.
/// </summary>
internal sealed record EvalJson(
    long Id,
    long Timestamp,
    long CheckoutTime,
    long EvalTime,
    int HasNewBuilds,
    string? Flake,
    IReadOnlyList<long> Builds,
    IReadOnlyDictionary<string, EvalInputJson> JobsetEvalInputs);
