using System.Globalization;

namespace Hydra.Web.Pages.Shared;

/// <summary>One point of a chart: its value, where it links to and what its tooltip says.</summary>
public sealed record ChartValue(double Value, string Href, string Title);

/// <summary>
/// Small line charts as inline SVG, drawn on the server: no script and no style attribute, so they pass the strict
/// Content-Security-Policy; each point is a link with a tooltip (SVG <c>title</c>).
/// </summary>
public static class Charts
{
    private const int Width = 640;
    private const int Height = 160;
    private const int Left = 70;
    private const int Right = 10;
    private const int Top = 10;
    private const int Bottom = 20;

    public static Html LineChart(this Html html, string label, IReadOnlyList<ChartValue> values, Func<double, string> format, string emptyText)
    {
        html.Open("figure", "chart");
        html.Element("figcaption", label);
        if (values.Count < 2)
        {
            html.Element("p", emptyText, "empty");
            return html.Close();
        }

        var max = values.Max(v => v.Value);
        max = max <= 0 ? 1 : max;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(int i) => Left + (values.Count == 1 ? plotWidth / 2.0 : i * plotWidth / (double)(values.Count - 1));
        double Y(double value) => Top + plotHeight - (value / max * plotHeight);

        html.Open("svg").Attr("viewBox", $"0 0 {Width} {Height}").Attr("role", "img").Attr("aria-label", label).Attr("class", "chart");
        html.Open("line", "axis").Attr("x1", N(Left)).Attr("y1", N(Top + plotHeight)).Attr("x2", N(Width - Right)).Attr("y2", N(Top + plotHeight)).Close();
        html.Open("line", "axis").Attr("x1", N(Left)).Attr("y1", N(Top)).Attr("x2", N(Left)).Attr("y2", N(Top + plotHeight)).Close();
        html.Open("text", "tick").Attr("x", N(Left - 6)).Attr("y", N(Top + 4)).Attr("text-anchor", "end").Text(format(max)).Close();
        html.Open("text", "tick").Attr("x", N(Left - 6)).Attr("y", N(Top + plotHeight)).Attr("text-anchor", "end").Text(format(0)).Close();
        var points = string.Join(' ', values.Select((v, i) => $"{N(X(i))},{N(Y(v.Value))}"));
        html.Open("polyline", "series").Attr("points", points).Close();
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            html.Open("a").Attr("href", value.Href)
                .Open("circle", "point").Attr("cx", N(X(i))).Attr("cy", N(Y(value.Value))).Attr("r", "3")
                .Element("title", $"{value.Title}: {format(value.Value)}")
                .Close()
                .Close();
        }
        html.Close();
        return html.Close();
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
