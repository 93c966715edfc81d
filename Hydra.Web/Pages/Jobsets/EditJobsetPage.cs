using Hydra.Web.Api.Jobsets;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// <c>GET /jobset/{p}/{j}/edit</c> and <c>/clone</c>: the whole jobset configuration with its inputs editor. Every
/// checked field carries its rule name (<c>data-rule</c>) and an error slot the server fills after a post and
/// <c>jobset-form.js</c> fills while one types, from the same <see cref="JobsetFormRules"/>. Without the script the
/// form still works: the server checks it and there is always one spare input row.
/// </summary>
public sealed class EditJobsetPage : PageComponent
{
    [Parameter, EditorRequired] public string Project { get; set; } = "";

    [Parameter, EditorRequired] public string Jobset { get; set; } = "";

    /// <summary>True: the form makes a copy under a new name; false: it saves this jobset.</summary>
    [Parameter] public bool Clone { get; set; }

    [Parameter, EditorRequired] public JobsetForm Form { get; set; } = null!;

    /// <summary>Field name to message, from the server's check of a post.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> Problems { get; set; } = new Dictionary<string, string>();

    /// <summary>The API's refusal of a post that passed the field rules (say, the expression input is not an input).</summary>
    [Parameter] public string? Error { get; set; }

    private static readonly (string Value, string Text)[] States =
    [
        ("0", "Disabled"), ("1", "Enabled"), ("2", "One-shot: one evaluation, then disabled"),
        ("3", "One at a time: waits for the previous evaluation's builds"),
    ];

    protected override string Title => Clone ? $"Clone jobset {Project}:{Jobset}" : $"Edit jobset {Project}:{Jobset}";

    protected override IReadOnlyList<string> Scripts => ["/js/jobset-form.js"];

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Project}", Project).Text(" › ")
            .Link($"/jobset/{Project}/{Jobset}", Jobset).Text(Clone ? " › clone" : " › edit");

    protected override void Body(Html html)
    {
        html.FormAlerts(Error, Problems.Count);
        if (FormToken is not { } token)
        {
            return;
        }
        var action = $"/jobset/{Project}/{Jobset}/{(Clone ? "clone" : "edit")}";
        // The rules travel as an attribute: a strict Content-Security-Policy allows no inline script, not even data.
        html.Open("form", "stacked").Attr("method", "post").Attr("action", action).Attr("id", "jobset-form")
            .Attr("data-rules", JobsetFormRules.Json).Attr("novalidate", "")
            .Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close();
        if (Clone)
        {
            html.Element("p", "The copy gets the same settings and inputs, not the credentials of its git inputs, and is evaluated at once.", "hint");
            RuleField(html, "Name of the copy", "name", "name", Form.Get("name"));
        }
        html.Field("Description", "description", Form.Get("description"));
        html.Select("State", "enabled", States, Form.Get("enabled") is { Length: > 0 } e ? e : "1")
            .Checkbox("Visible", "visible", Form.Has("visible"))
            .Select("Type", "type", [(JobsetForm.Legacy, "Nix expression in an input"), (JobsetForm.FlakeType, "Flake (its hydraJobs)")],
                Form.Get("type") is JobsetForm.FlakeType ? JobsetForm.FlakeType : JobsetForm.Legacy);

        html.Open("fieldset").Attr("data-for-type", JobsetForm.Legacy).Element("legend", "Nix expression");
        RuleField(html, "Input holding the expression", "nixexprinput", "nixexprinput", Form.Get("nixexprinput"));
        RuleField(html, "Path of the expression in that input", "nixexprpath", "nixexprpath", Form.Get("nixexprpath"));
        html.Close();
        html.Open("fieldset").Attr("data-for-type", JobsetForm.FlakeType).Element("legend", "Flake");
        RuleField(html, "Flake URL", "flake", "flake", Form.Get("flake"));
        html.Close();

        RuleField(html, "Check interval (seconds)", "checkinterval", "checkinterval", Form.Get("checkinterval"));
        RuleField(html, "Scheduling shares", "schedulingshares", "schedulingshares", Form.Get("schedulingshares"));
        RuleField(html, "Evaluations to keep", "keepnr", "keepnr", Form.Get("keepnr"));
        html.Field("Email override", "emailoverride", Form.Get("emailoverride"));
        html.Checkbox("Email the responsible people", "enableemail", Form.Has("enableemail"));

        Inputs(html);
        html.Open("button").Attr("type", "submit").Text(Clone ? "Create the copy" : "Save jobset").Close().Close();
    }

    private void Inputs(Html html)
    {
        html.Open("fieldset", "inputs").Attr("id", "inputs").Element("legend", "Inputs");
        // One spare row: with the script, "Add input" copies it; without, filling it in adds an input.
        var rows = Form.Inputs.Append(new JobsetForm.Input("", "git", "", false)).ToList();
        for (var i = 0; i < rows.Count; i++)
        {
            var input = rows[i];
            html.Open("div", "input-row").Attr("data-input-row", "");
            RuleField(html, "Name", $"input-{i}-name", "input-name", input.Name);
            html.Select("Type", $"input-{i}-type", JobsetRequest.SupportedInputTypes, input.Type);
            RuleField(html, "Value", $"input-{i}-value", null, input.Value, valueOf: $"input-{i}-type");
            html.Checkbox("Email responsible", $"input-{i}-emailresponsible", input.EmailResponsible)
                .Close();
        }
        html.Element("small", "git: URL [branch]; path: a URL or path; boolean: true or false; build: project:jobset:job; eval: project:jobset. " +
            "A row left empty is ignored; stored git credentials are kept (change them through the API).", "hint");
        html.Close();
    }

    /// <summary>A text field checked by <paramref name="rule"/> (or, for an input's value, by the rule of the type in <paramref name="valueOf"/>).</summary>
    private void RuleField(Html html, string label, string name, string? rule, string value, string? valueOf = null)
    {
        var problem = Problems.TryGetValue(name, out var message) ? message : null;
        html.Open("label").Text(label)
            .Open("input").Attr("name", name).Attr("id", $"field-{name}").Attr("value", value).Attr("data-rule", rule).Attr("data-value-of", valueOf)
            .Attr("aria-describedby", $"error-{name}").Attr("aria-invalid", problem is null ? null : "true").Close()
            .Open("small", "field-error").Attr("id", $"error-{name}").Attr("aria-live", "polite").Text(problem).Close()
            .Close();
    }
}
