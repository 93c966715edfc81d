using Microsoft.AspNetCore.Components.Forms;

namespace Hydra.Web.Pages.Shared;

/// <summary>The pieces of the configuration forms: the antiforgery field, labelled inputs, checkboxes.</summary>
public static class FormFields
{
    /// <summary>Opens a POST form carrying the antiforgery token; close it with <see cref="Html.Close"/>.</summary>
    public static Html OpenPostForm(this Html html, string action, AntiforgeryRequestToken token, string id) =>
        html.Open("form", "stacked").Attr("method", "post").Attr("action", action).Attr("id", id)
            .Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close();

    /// <summary>Above a form that came back: the save's refusal, and a pointer to the fields' own messages when there are any.</summary>
    public static Html FormAlerts(this Html html, string? error, int problems)
    {
        if (error is not null)
        {
            html.Element("p", error, "alert");
        }
        return problems > 0 ? html.Element("p", "Some fields need a change; see the messages under them.", "alert") : html;
    }

    /// <summary>A labelled text input with an optional hint under it.</summary>
    public static Html Field(this Html html, string label, string name, string? value, string? hint = null, bool required = false, string? pattern = null)
    {
        html.Open("label").Text(label)
            .Open("input").Attr("name", name).Attr("id", $"field-{name}").Attr("value", value ?? "").Attr("pattern", pattern);
        if (required)
        {
            html.Attr("required", "");
        }
        html.Close();
        if (hint is not null)
        {
            html.Element("small", hint, "hint");
        }
        return html.Close();
    }

    /// <summary>
    /// A labelled checkbox whose presence means true (Hydra's form convention); with a <paramref name="value"/>, one
    /// of several boxes of the same name whose checked values the form sends (a user's roles).
    /// </summary>
    public static Html Checkbox(this Html html, string label, string name, bool isChecked, string? value = null)
    {
        html.Open("label", "check").Open("input").Attr("type", "checkbox").Attr("name", name)
            .Attr("id", value is null ? $"field-{name}" : $"field-{name}-{value}").Attr("value", value ?? "on");
        if (isChecked)
        {
            html.Attr("checked", "");
        }
        return html.Close().Text(" " + label).Close();
    }

    /// <summary>A labelled select of <paramref name="options"/>.</summary>
    public static Html Select(this Html html, string label, string name, IEnumerable<string> options, string selected) =>
        html.Select(label, name, options.Select(option => (option, option)), selected);

    /// <summary>A labelled select of <paramref name="options"/> whose text differs from the value sent (a jobset's state: 1, "enabled").</summary>
    public static Html Select(this Html html, string label, string name, IEnumerable<(string Value, string Text)> options, string selected)
    {
        html.Open("label").Text(label).Open("select").Attr("name", name).Attr("id", $"field-{name}");
        foreach (var (value, text) in options)
        {
            html.Open("option").Attr("value", value);
            if (value == selected)
            {
                html.Attr("selected", "");
            }
            html.Text(text).Close();
        }
        return html.Close().Close();
    }
}
