using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Hydra.Web.Pages.Shared;

/// <summary>
/// A terse writer over <see cref="RenderTreeBuilder"/> for the server-rendered pages. Text always goes
/// through <see cref="RenderTreeBuilder.AddContent(int, string)"/>, which HTML-escapes it; there is no
/// way to write untrusted markup. Sequence numbers are per call site of this writer, as the Razor
/// compiler would emit them; pages are rendered once (static SSR) and never diffed.
/// </summary>
/// <remarks>
/// Pages are C# components rather than <c>.razor</c> files because a <c>.razor</c> file makes the SDK
/// pull the Microsoft.AspNetCore.App.Internal.Assets pack, which this machine's package source lacks.
/// </remarks>
public sealed class Html(RenderTreeBuilder builder)
{
    public Html Open(string element, string? cssClass = null)
    {
        builder.OpenElement(0, element);
        return cssClass is null ? this : Attr("class", cssClass);
    }

    public Html Attr(string name, string? value)
    {
        if (value is not null)
        {
            builder.AddAttribute(1, name, value);
        }
        return this;
    }

    public Html Close()
    {
        builder.CloseElement();
        return this;
    }

    /// <summary>Runs <paramref name="write"/> here, so a helper can write in the middle of a chain.</summary>
    public Html Call(Action<Html> write)
    {
        write(this);
        return this;
    }

    /// <summary>Escaped text.</summary>
    public Html Text(string? text)
    {
        builder.AddContent(2, text);
        return this;
    }

    /// <summary>An element holding escaped text: <c>&lt;td class=...&gt;text&lt;/td&gt;</c>.</summary>
    public Html Element(string element, string? text, string? cssClass = null) => Open(element, cssClass).Text(text).Close();

    public Html Link(string href, string text, string? cssClass = null) =>
        Open("a", cssClass).Attr("href", href).Text(text).Close();

    /// <summary>Constant markup written by this code (the doctype), never data.</summary>
    internal Html Trusted(string markup)
    {
        builder.AddMarkupContent(3, markup);
        return this;
    }

    /// <summary>A table with a header row, or the empty-state text when there are no rows.</summary>
    public Html Table<T>(IReadOnlyCollection<T> rows, string emptyText, string[] headers, Action<T> row, string[]? numericColumns = null)
    {
        if (rows.Count == 0)
        {
            return Open("div", "empty").Element("p", emptyText).Close();
        }
        Open("table", "table").Open("thead").Open("tr");
        foreach (var header in headers)
        {
            Element("th", header, numericColumns?.Contains(header) == true ? "num" : null);
        }
        Close().Close().Open("tbody");
        foreach (var item in rows)
        {
            Open("tr");
            row(item);
            Close();
        }
        return Close().Close();
    }
}
