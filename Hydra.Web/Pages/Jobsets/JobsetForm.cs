using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Pages.Jobsets;

/// <summary>
/// The jobset editor's values: the settings by form field name, and the inputs in order. Input rows are posted as
/// <c>input-N-name</c>, <c>input-N-type</c>, <c>input-N-value</c> and <c>input-N-emailresponsible</c>; a row with
/// neither name nor value is the spare row and is left out.
/// </summary>
public sealed class JobsetForm
{
    public const string Legacy = "0";
    public const string FlakeType = "1";

    /// <summary>Fields shown only for one jobset type, checked only when that type is chosen.</summary>
    public static readonly IReadOnlyDictionary<string, string> TypeOf = new Dictionary<string, string>
    {
        ["nixexprinput"] = Legacy, ["nixexprpath"] = Legacy, ["flake"] = FlakeType,
    };

    private static readonly string[] Checked = ["name", "nixexprinput", "nixexprpath", "flake", "checkinterval", "schedulingshares", "keepnr"];

    public required Dictionary<string, string> Fields { get; init; }

    public required List<Input> Inputs { get; init; }

    public sealed record Input(string Name, string Type, string Value, bool EmailResponsible);

    public string Get(string field) => Fields.TryGetValue(field, out var value) ? value : "";

    public bool Has(string field) => Fields.ContainsKey(field);

    public static JobsetForm From(Jobset jobset, string name)
    {
        var fields = new Dictionary<string, string>
        {
            ["name"] = name,
            ["description"] = jobset.Description,
            ["enabled"] = jobset.Enabled.ToString(CultureInfo.InvariantCulture),
            ["type"] = jobset.Type == 1 ? FlakeType : Legacy,
            ["flake"] = jobset.Flake ?? "",
            ["nixexprinput"] = jobset.NixExprInput,
            ["nixexprpath"] = jobset.NixExprPath,
            ["checkinterval"] = jobset.CheckInterval.ToString(CultureInfo.InvariantCulture),
            ["schedulingshares"] = jobset.SchedulingShares.ToString(CultureInfo.InvariantCulture),
            ["keepnr"] = jobset.KeepNr.ToString(CultureInfo.InvariantCulture),
            ["emailoverride"] = jobset.EmailOverride,
        };
        if (!jobset.Hidden)
        {
            fields["visible"] = "on";
        }
        if (jobset.EnableEmail)
        {
            fields["enableemail"] = "on";
        }
        return new JobsetForm
        {
            Fields = fields,
            Inputs = [.. jobset.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => new Input(i.Name, i.Type, i.Value, i.EmailResponsible))],
        };
    }

    public static JobsetForm From(IFormCollection form)
    {
        var inputs = new List<Input>();
        for (var i = 0; form.ContainsKey($"input-{i}-type"); i++)
        {
            var name = form[$"input-{i}-name"].ToString().Trim();
            var value = form[$"input-{i}-value"].ToString();
            if (name.Length > 0 || value.Trim().Length > 0)
            {
                inputs.Add(new Input(name, form[$"input-{i}-type"].ToString(), value, form.ContainsKey($"input-{i}-emailresponsible")));
            }
        }
        return new JobsetForm
        {
            Fields = form.Where(f => !f.Key.StartsWith("__", StringComparison.Ordinal) && !f.Key.StartsWith("input-", StringComparison.Ordinal))
                .ToDictionary(f => f.Key, f => f.Value.ToString()),
            Inputs = inputs,
        };
    }

    /// <summary>
    /// The fields that break a <see cref="JobsetFormRules"/> rule, by form field name (inputs by their row's field
    /// names), with the message. <paramref name="withName"/>: the name is being chosen (a clone), so it is checked too.
    /// </summary>
    public Dictionary<string, string> Check(bool withName)
    {
        var problems = new Dictionary<string, string>();
        var type = Get("type") == FlakeType ? FlakeType : Legacy;
        foreach (var field in Checked)
        {
            if ((field == "name" && !withName) || (TypeOf.TryGetValue(field, out var only) && only != type))
            {
                continue;
            }
            if (JobsetFormRules.Check(field, Get(field)) is { } problem)
            {
                problems[field] = problem;
            }
        }
        for (var i = 0; i < Inputs.Count; i++)
        {
            if (JobsetFormRules.Check("input-name", Inputs[i].Name) is { } nameProblem)
            {
                problems[$"input-{i}-name"] = nameProblem;
            }
            else if (Inputs.FindIndex(other => other.Name == Inputs[i].Name) < i)
            {
                problems[$"input-{i}-name"] = "Another input above has this name; each input needs its own.";
            }
            if (JobsetFormRules.Check($"value-{Inputs[i].Type}", Inputs[i].Value) is { } valueProblem)
            {
                problems[$"input-{i}-value"] = valueProblem;
            }
        }
        return problems;
    }

    /// <summary>The form in the shape of the API's PUT body.</summary>
    public JsonElement ToJson()
    {
        var inputs = new JsonObject();
        foreach (var input in Inputs)
        {
            inputs[input.Name] = new JsonObject { ["type"] = input.Type, ["value"] = input.Value, ["emailresponsible"] = input.EmailResponsible };
        }
        var body = new JsonObject
        {
            ["description"] = Get("description"),
            ["type"] = Get("type") == FlakeType ? 1 : 0,
            ["enabled"] = Get("enabled") is { Length: > 0 } enabled ? enabled : "1",
            ["visible"] = Has("visible"),
            ["checkinterval"] = Get("checkinterval"),
            ["schedulingshares"] = Get("schedulingshares"),
            ["keepnr"] = Get("keepnr"),
            ["emailoverride"] = Get("emailoverride"),
            ["enableemail"] = Has("enableemail"),
            ["inputs"] = inputs,
        };
        if (Get("type") == FlakeType)
        {
            body["flake"] = Get("flake");
        }
        else
        {
            body["nixexprinput"] = Get("nixexprinput");
            body["nixexprpath"] = Get("nixexprpath");
        }
        return JsonSerializer.SerializeToElement(body);
    }
}
