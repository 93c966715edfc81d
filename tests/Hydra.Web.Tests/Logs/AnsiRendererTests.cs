using Hydra.Web.Pages.Logs;

namespace Hydra.Web.Tests.Logs;

public sealed class AnsiRendererTests
{
    private static string Show(IReadOnlyList<LogSegment> segments) =>
        string.Join("|", segments.Select(s => s.Classes is null ? s.Text : $"{s.Text}<{s.Classes}>"));

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("\e[31mred\e[0m plain", "red<ansi-fg-1>| plain")]
    [InlineData("\e[1;32mbold green\e[m", "bold green<ansi-fg-2 ansi-bold>")]
    [InlineData("\e[93;44mbright on blue", "bright on blue<ansi-fg-11 ansi-bg-4>")]
    [InlineData("\e[38;5;9mindexed\e[38;5;200m beyond sixteen", "indexed<ansi-fg-9>| beyond sixteen")]
    [InlineData("\e[38;2;255;0;0mtrue colour\e[1m bold", "true colour| bold<ansi-bold>")]
    [InlineData("\e[4munder\e[24m over \e[3mitalic\e[23m", "under<ansi-underline>| over |italic<ansi-italic>")]
    [InlineData("\e[2Kcleared\e[1Aup\e[?25l", "cleared|up")]
    [InlineData("\e]0;window title\aafter title", "after title")]
    [InlineData("\e]8;;https://evil.example/\e\\link\e]8;;\e\\", "link")]
    [InlineData("bell\a and nul\0 and tab\tkept", "bell and nul and tab\tkept")]
    [InlineData("progress 10%\rprogress 50%\rdone", "done")]
    [InlineData("trailing escape \e", "trailing escape ")]
    [InlineData("\e[31", "")]
    [InlineData("\e[1;xm", "m")]
    public void Renders_styles_as_classes_and_drops_every_other_escape(string line, string expected)
    {
        Assert.Equal(expected, Show(new AnsiRenderer().Render(line)));
    }

    [Fact]
    public void Styles_carry_over_to_the_next_line_until_reset()
    {
        var renderer = new AnsiRenderer();

        Assert.Equal("start<ansi-fg-3>", Show(renderer.Render("\e[33mstart")));
        Assert.Equal("still yellow<ansi-fg-3>|reset", Show(renderer.Render("still yellow\e[0mreset")));
        Assert.Equal("plain", Show(renderer.Render("plain")));
    }

    [Fact]
    public void A_style_set_before_a_carriage_return_applies_after_it()
    {
        Assert.Equal("shown<ansi-fg-1>", Show(new AnsiRenderer().Render("\e[31mhidden\rshown")));
    }

    [Fact]
    public void Class_names_come_from_the_fixed_palette_whatever_the_parameters()
    {
        var classes = new AnsiRenderer().Render("\e[38;5;99999999999;48;5;300;1;97;107mx").Single().Classes!;

        Assert.All(classes.Split(' '), c => Assert.Matches("^ansi-(fg|bg)-([0-9]|1[0-5])$|^ansi-(bold|faint|italic|underline)$", c));
    }
}
