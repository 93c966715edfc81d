using System.Net;
using System.Text.RegularExpressions;

namespace Hydra.Web.Tests.Access;

public sealed partial class SignOutTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_sign_out_form_carries_a_token_and_signs_out()
    {
        var client = await FormPosts.ClientAsync(factory, "leaver");
        var page = await client.GetStringAsync("/");
        var form = SignOutForm().Match(page);
        Assert.True(form.Success, "no sign-out form with a token on the page");

        var response = await client.PostAsync("/logout", FormPosts.Form(form.Groups[1].Value));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/current-user")).StatusCode);
    }

    [Fact]
    public async Task A_sign_out_form_post_without_its_token_is_refused()
    {
        var client = await FormPosts.ClientAsync(factory, "stayer");

        var response = await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string>()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/current-user")).StatusCode);
    }

    [GeneratedRegex("<form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex SignOutForm();
}
