using System.Globalization;
using System.Text.Json;

namespace Hydra.Web.Api;

/// <summary>
/// The fields of a PUT/POST body, read from JSON or from a form, with Hydra's conventions:
/// "presence" booleans (a key that is present with a non-boolean value means true) and
/// numbers that may arrive as strings.
/// </summary>
internal sealed class RequestFields
{
    private readonly JsonElement _json;
    private readonly IFormCollection? _form;

    private RequestFields(JsonElement json, IFormCollection? form)
    {
        _json = json;
        _form = form;
    }

    /// <summary>Fields from a JSON object built by the server (the pages' forms turn their fields into the API's shape).</summary>
    public static RequestFields FromJson(JsonElement json) => new(json, null);

    /// <summary>Reads the body; null when it is not a JSON object or a form.</summary>
    public static async Task<RequestFields?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            return new RequestFields(default, form);
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new RequestFields(document.RootElement.Clone(), null)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public bool Has(string name) => _form is not null
        ? _form.ContainsKey(name)
        : _json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? GetString(string name)
    {
        if (_form is not null)
        {
            return _form.TryGetValue(name, out var values) ? values.ToString() : null;
        }
        if (!_json.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        };
    }

    /// <summary>Hydra's presence rule: JSON true/false count as such; any other present value means true.</summary>
    public bool GetPresenceBool(string name)
    {
        if (_form is null && _json.TryGetProperty(name, out var value))
        {
            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False or JsonValueKind.Null => false,
                _ => true,
            };
        }
        return Has(name);
    }

    /// <summary>Parses an integer field; false when present but not an integer (JSON true/false count as 1/0).</summary>
    public bool TryGetInt(string name, out int? result)
    {
        result = null;
        if (_form is null && _json.TryGetProperty(name, out var element))
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.True: result = 1; return true;
                case JsonValueKind.False: result = 0; return true;
                case JsonValueKind.Number when element.TryGetInt32(out var number): result = number; return true;
            }
        }
        var text = GetString(name);
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            result = parsed;
            return true;
        }
        return false;
    }

    /// <summary>A nested JSON object (e.g. a jobset's inputs); null when absent or not an object.</summary>
    public JsonElement? GetObject(string name) =>
        _form is null && _json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;
}
