using Hydra.Web.Pages.Shared;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// The admin pages' tabs.
/// </summary>
internal static class AdminNav
{
    private static readonly (string Url, string Label)[] Tabs =
    [
        ("/admin", "Background work"),
        ("/admin/users", "Users"),
        ("/admin/workers", "Workers"),
        (NotificationEndpoints.PageUrl, "Notifications"),
    ];

    public static Html AdminTabs(this Html html, string current)
    {
        html.Open("nav", "tabs").Attr("aria-label", "Administration");
        foreach (var (url, label) in Tabs)
        {
            html.Open("a", url == current ? "tab current" : "tab").Attr("href", url);
            if (url == current)
            {
                html.Attr("aria-current", "page");
            }
            html.Text(label).Close();
        }
        return html.Close();
    }
}
