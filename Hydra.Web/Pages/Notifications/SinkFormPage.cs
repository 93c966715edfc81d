using Hydra.Core.Notifications;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;
using static Hydra.Core.Notifications.NotificationSinkFields;

namespace Hydra.Web.Pages.Notifications;

/// <summary>
/// <c>/project/{p}/notifications/add?kind=K</c> and <c>/project/{p}/notifications/{id}/edit</c>: one sink's
/// configuration, the settings its kind takes (<see cref="NotificationSinkFields"/>), each with the server's message under
/// it after a post. Secret fields are always empty: a stored secret is kept unless a new one is typed (or, when it is
/// optional, removed). No script: the server checks everything.
/// </summary>
public sealed class SinkFormPage : PageComponent
{
    [Parameter, EditorRequired] public string Project { get; set; } = "";
    [Parameter, EditorRequired] public SinkForm Form { get; set; } = null!;
    [Parameter, EditorRequired] public IReadOnlyList<string> Jobsets { get; set; } = [];

    /// <summary>The sink being edited; null when adding one.</summary>
    [Parameter] public long? Id { get; set; }

    /// <summary>Field name to message, from the server's check of a post.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> Problems { get; set; } = new Dictionary<string, string>();

    [Parameter] public string? Error { get; set; }

    protected override string Title => Id is { } id
        ? $"Edit {Describe(Form.Kind)} sink #{id} of {Project}"
        : $"Add a {Describe(Form.Kind)} sink to {Project}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Project}", Project).Text(" › ")
            .Link($"/project/{Project}/notifications", "notifications").Text(Id is null ? " › add" : " › edit");

    protected override void Body(Html html)
    {
        html.FormAlerts(Error, Problems.Count);
        if (FormToken is not { } token)
        {
            return;
        }
        var action = Id is { } id ? $"/project/{Project}/notifications/{id}/edit" : $"/project/{Project}/notifications/add";
        html.Open("form", "stacked").Attr("method", "post").Attr("action", action).Attr("id", "sink-form").Attr("novalidate", "")
            .Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close()
            .Open("input").Attr("type", "hidden").Attr("name", "kind").Attr("value", Form.Kind).Close();
        html.Field("Name", "name", Form.Get("name"), "Optional, shown in lists: e.g. deploy bot.")
            .Select("Jobsets", "jobset", Jobsets.Select(j => (j, j)).Prepend(("", "All jobsets of the project")), Form.Get("jobset"))
            .Checkbox("Enabled", "enabled", Form.Has("enabled"));

        html.Open("fieldset").Attr("id", "events").Element("legend", "Events");
        foreach (var kind in NotificationEventKinds.All)
        {
            html.Checkbox(kind.Replace('_', ' '), "events", Form.Events.Contains(kind), kind);
        }
        ErrorSlot(html, "events");
        html.Close();
        TextField(html, "Jobs", "jobs", Form.Get("jobs"), "A job name; * stands for any characters: tests.* or * for every job.");

        html.Open("fieldset").Attr("id", "settings").Element("legend", $"{Describe(Form.Kind)} settings");
        foreach (var field in For(Form.Kind))
        {
            Setting(html, field);
        }
        html.Close();
        html.Open("button").Attr("type", "submit").Text(Id is null ? "Add sink" : "Save sink").Close().Close();

        if (Id is { } sink)
        {
            html.Element("h2", "Delete");
            html.Element("p", "Deleting the sink deletes its deliveries too; events keep going to the other sinks.", "hint");
            html.Open("form", "inline").Attr("method", "post").Attr("action", $"/project/{Project}/notifications/{sink}/delete")
                .Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close()
                .Open("button", "danger").Attr("type", "submit").Text("Delete this sink").Close()
                .Close();
        }
    }

    private void Setting(Html html, Field field)
    {
        var name = $"settings.{field.Name}";
        switch (field.Type)
        {
            case FieldType.Check:
                html.Checkbox(field.Label, name, Form.Has(name));
                break;
            case FieldType.Secret:
                var stored = Form.StoredSecrets.Contains(field.Name);
                var hint = stored ? "Stored and never shown; leave empty to keep it, or type a new one." : field.Hint;
                html.Open("label").Text(field.Label + (field.Required ? "" : " (optional)"))
                    .Open("input").Attr("type", "password").Attr("name", name).Attr("id", $"field-{name}").Attr("value", "")
                    .Attr("autocomplete", "new-password").Attr("aria-describedby", $"error-{name}")
                    .Attr("aria-invalid", Problems.ContainsKey(name) ? "true" : null).Close()
                    .Element("small", hint, "hint");
                ErrorSlot(html, name);
                html.Close();
                if (stored && !field.Required)
                {
                    html.Checkbox($"Remove the stored {field.Label.ToLowerInvariant()}", $"clear.{field.Name}", Form.Has($"clear.{field.Name}"));
                }
                break;
            default:
                TextField(html, field.Label + (field.Required ? "" : " (optional)"), name, Form.Get(name), field.Hint,
                    field.Type == FieldType.Url ? "url" : null);
                break;
        }
    }

    private void TextField(Html html, string label, string name, string value, string hint, string? type = null)
    {
        html.Open("label").Text(label)
            .Open("input").Attr("type", type).Attr("name", name).Attr("id", $"field-{name}").Attr("value", value)
            .Attr("aria-describedby", $"error-{name}").Attr("aria-invalid", Problems.ContainsKey(name) ? "true" : null).Close()
            .Element("small", hint, "hint");
        ErrorSlot(html, name);
        html.Close();
    }

    private void ErrorSlot(Html html, string name) =>
        html.Open("small", "field-error").Attr("id", $"error-{name}").Attr("aria-live", "polite")
            .Text(Problems.TryGetValue(name, out var message) ? message : null).Close();
}
