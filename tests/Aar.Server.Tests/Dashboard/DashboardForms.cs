using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using TestSupport;

namespace Aar.Server.Tests.Dashboard;

/// <summary>
/// What a browser does around a dashboard form, done by hand over mTLS: load a page, keep the anti-forgery cookie and
/// the form's hidden token, and post with (or without) them and an Origin header.
/// </summary>
internal sealed partial class DashboardForms(MtlsClient client)
{
    public string? Cookie { get; private set; }

    public string? FieldName { get; private set; }

    public string? Token { get; private set; }

    /// <summary>Post the form token another page got (without its cookie): a forgery attempt.</summary>
    public DashboardForms Copied
    {
        init => (FieldName, Token) = (value.FieldName, value.Token);
    }

    public string Origin => client.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);

    /// <summary>Loads <paramref name="path"/> and remembers its cookie and form token; returns the HTML.</summary>
    public async Task<string> LoadAsync(string path = "/ui/")
    {
        using var response = await client.Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        if (response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            Cookie = cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith("__Host-aar-antiforgery=", StringComparison.Ordinal)) ?? Cookie;
        }

        var html = await response.Content.ReadAsStringAsync();
        var match = HiddenToken().Match(html);
        if (match.Success)
        {
            (FieldName, Token) = (match.Groups["name"].Value, System.Net.WebUtility.HtmlDecode(match.Groups["value"].Value));
        }

        return html;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? origin = "", bool withToken = true, bool withCookie = true)
    {
        var all = fields.ToList();
        if (withToken && FieldName is not null)
        {
            all.Add(new(FieldName, Token!));
        }

        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
        var sentOrigin = origin == "" ? Origin : origin;
        if (sentOrigin is not null)
        {
            request.Headers.Add("Origin", sentOrigin);
        }

        if (withCookie && Cookie is not null)
        {
            request.Headers.Add("Cookie", Cookie);
        }

        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        return await client.Http.SendAsync(request);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex HiddenToken();
}
