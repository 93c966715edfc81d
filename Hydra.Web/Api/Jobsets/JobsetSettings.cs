using Hydra.Evaluator.Declarative;

namespace Hydra.Web.Api.Jobsets;

/// <summary>
/// A validated jobset configuration from a PUT body: the same <see cref="JobsetSpec"/> a declarative spec gives (so one
/// <see cref="DeclarativeSpecWriter.Configure"/> writes both), and the credential changes of its git inputs by input name.
/// </summary>
internal sealed record JobsetSettings(JobsetSpec Jobset, IReadOnlyDictionary<string, SecretChange> Secrets);
