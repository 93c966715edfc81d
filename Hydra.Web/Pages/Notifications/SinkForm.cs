using System.Text.Json;
using System.Text.Json.Nodes;
using Hydra.Core.Notifications;
using static Hydra.Core.Notifications.NotificationSinkFields;

namespace Hydra.Web.Pages.Notifications;

/// <summary>
/// The sink form's values: <c>name</c>, <c>jobset</c> (empty: every jobset), <c>enabled</c>, <c>jobs</c>, the checked
/// <c>events</c>, and each setting as <c>settings.NAME</c>. Secrets are write-only: the form never holds a stored one,
/// a blank secret field keeps it, and <c>clear.NAME</c> removes an optional one.
/// </summary>
public sealed class SinkForm
{
    public required string Kind { get; init; }

    public required Dictionary<string, string> Fields { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    /// <summary>The secrets this sink has stored (when editing).</summary>
    public IReadOnlySet<string> StoredSecrets { get; init; } = new HashSet<string>();

    public string Get(string field) => Fields.TryGetValue(field, out var value) ? value : "";

    public bool Has(string field) => Fields.ContainsKey(field);

    /// <summary>A new sink of <paramref name="kind"/>: on, every job, the kind's default events and checkboxes.</summary>
    public static SinkForm New(string kind, string? jobset)
    {
        var fields = new Dictionary<string, string> { ["jobs"] = "*", ["enabled"] = "on", ["jobset"] = jobset ?? "" };
        foreach (var field in For(kind).Where(f => f.Type == FieldType.Check && f.DefaultOn))
        {
            fields[$"settings.{field.Name}"] = "on";
        }
        return new SinkForm { Kind = kind, Fields = fields, Events = NotificationEventKinds.DefaultsFor(kind) };
    }

    /// <summary>A stored sink as listed (secrets masked): the masked ones become <see cref="StoredSecrets"/>, never values.</summary>
    public static SinkForm From(NotificationSinkStore.Listed sink)
    {
        var fields = new Dictionary<string, string> { ["name"] = sink.Name, ["jobs"] = sink.Jobs, ["jobset"] = sink.Jobset ?? "" };
        if (sink.Enabled)
        {
            fields["enabled"] = "on";
        }
        var stored = new HashSet<string>();
        foreach (var field in For(sink.Kind))
        {
            var node = sink.Settings[field.Name];
            if (field.Type == FieldType.Secret)
            {
                if (node is not null)
                {
                    stored.Add(field.Name);
                }
            }
            else if (field.Type == FieldType.Check)
            {
                if (node is null ? field.DefaultOn : node.GetValueKind() == JsonValueKind.True)
                {
                    fields[$"settings.{field.Name}"] = "on";
                }
            }
            else if (node is JsonValue value && value.TryGetValue<string>(out var text))
            {
                fields[$"settings.{field.Name}"] = text;
            }
        }
        return new SinkForm { Kind = sink.Kind, Fields = fields, Events = sink.Events, StoredSecrets = stored };
    }

    public static SinkForm From(string kind, IFormCollection form, IReadOnlySet<string> storedSecrets) => new()
    {
        Kind = kind,
        Fields = form.Where(f => !f.Key.StartsWith("__", StringComparison.Ordinal) && f.Key is not ("events" or "kind"))
            .ToDictionary(f => f.Key, f => f.Value.ToString()),
        Events = [.. form["events"].OfType<string>()],
        StoredSecrets = storedSecrets,
    };

    /// <summary>The form as the store's change; a blank secret that is stored is sent masked, which keeps it.</summary>
    public NotificationSinkStore.Change ToChange()
    {
        var settings = new JsonObject();
        foreach (var field in For(Kind))
        {
            var key = $"settings.{field.Name}";
            switch (field.Type)
            {
                case FieldType.Check:
                    settings[field.Name] = Has(key);
                    break;
                case FieldType.Secret when Get(key).Length == 0:
                    if (StoredSecrets.Contains(field.Name) && !Has($"clear.{field.Name}"))
                    {
                        settings[field.Name] = Masked;
                    }
                    break;
                default:
                    if (Get(key).Trim() is { Length: > 0 } value)
                    {
                        settings[field.Name] = field.Type == FieldType.Secret ? Get(key) : value;
                    }
                    break;
            }
        }
        return new NotificationSinkStore.Change(
            Get("jobset") is { Length: > 0 } jobset ? jobset : null, Kind, Get("name").Trim(), Has("enabled"), Events,
            Get("jobs").Trim() is { Length: > 0 } jobs ? jobs : "*", settings);
    }
}
