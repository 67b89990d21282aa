using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Aar.Protocol.Certificates;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace EndToEnd.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's headless Chromium) presenting certificates made by
/// <c>aar trust certificate create</c>, against real <c>aar</c>, <c>ams</c> and <c>amc</c> processes. The page is
/// loaded once per scenario and must follow the fleet without a reload (a marker set in the page's window survives).
/// </summary>
public sealed partial class DashboardBrowserTests(ITestOutputHelper output)
{
    [NeedsBrowserFact]
    public async Task A_viewer_sees_a_publish_appear_and_an_ams_fall_behind_and_catch_up_without_reloading()
    {
        await using var site = await Site.StartJoinedAsync(output);
        var (registry, publisher, client) = site;
        await client.SyncOkAsync();
        var (p12, password) = await CreateBrowserCertificateAsync(registry, "vera", "viewer");
        using var browser = await Browser.StartAsync(Path.Combine(site.Root, "browser-vera"), p12, password);
        var ams = FingerprintOf(client.ClientCertificate);

        browser.Open(registry.Url + "/ui/");
        browser.Until(d => d.FindElement(By.CssSelector("p.who")).Text.Contains("vera", StringComparison.Ordinal), "the page to name the viewer");
        browser.Script("window.notReloaded = true;");
        browser.Until(d => BehindOf(d, ams) == "up to date", "the client AMS to show as up to date");
        Assert.Empty(browser.Driver.FindElements(By.CssSelector("form[action='/ui/tokens']")));
        // Keyboard: the first Tab reaches the skip link, which leads to the main landmark.
        new OpenQA.Selenium.Interactions.Actions(browser.Driver).SendKeys(Keys.Tab).Perform();
        Assert.Equal("Skip to content", browser.Driver.SwitchTo().ActiveElement().Text);

        await publisher.CreateAndPublishAsync("game", Packages.Small(publisher, "game"));
        await publisher.SyncOkAsync();

        browser.Until(d => d.FindElements(By.CssSelector("tr[data-application='game'][data-version='0']")).Count == 1, "the published version to appear");
        browser.Until(d => BehindOf(d, ams).EndsWith(" behind", StringComparison.Ordinal), "the client AMS to fall behind");
        output.WriteLine(browser.Screenshot("viewer-behind"));
        await client.SyncOkAsync();
        browser.Until(d => BehindOf(d, ams) == "up to date", "the client AMS to catch up");
        Assert.Equal(true, browser.Script("return window.notReloaded === true;"));
        output.WriteLine(browser.Screenshot("viewer"));

        browser.PhoneDark();
        browser.Open(registry.Url + "/ui/");
        browser.Until(d => BehindOf(d, ams) == "up to date", "the page at a phone's width");
        var background = (string)browser.Script("return getComputedStyle(document.body).backgroundColor;")!;
        Assert.Equal("rgb(17, 20, 24)", background);
        Assert.True((long)browser.Script("return document.documentElement.scrollWidth;")! <= 390, "The page scrolls sideways at a phone's width.");
        output.WriteLine(browser.Screenshot("phone-dark"));
    }

    [NeedsBrowserFact]
    public async Task An_operator_enrols_an_ams_with_a_token_and_revokes_it_and_a_cross_site_post_is_refused()
    {
        await using var site = await Site.StartJoinedAsync(output, withClient: false);
        var registry = site.Registry;
        var newcomer = await site.StartAmsAsync("newcomer");
        var (p12, password) = await CreateBrowserCertificateAsync(registry, "olga", "operator");
        using var browser = await Browser.StartAsync(Path.Combine(site.Root, "browser-olga"), p12, password);

        browser.Open(registry.Url + "/ui/");
        browser.Driver.FindElement(By.CssSelector("#token-role option[value='client']")).Click();
        browser.Driver.FindElement(By.Id("token-name")).SendKeys("ams-newcomer");
        browser.Driver.FindElement(By.CssSelector("form[action='/ui/tokens'] button[type=submit]")).Click();
        var command = browser.Until(d => d.FindElement(By.Id("join-command")).Text, "the join command");
        output.WriteLine(browser.Screenshot("token"));
        var token = Assert.Single(JoinCommand().Matches(command)).Groups["token"].Value;
        var join = await newcomer.AmcAsync("registry", "join", token);
        Assert.True(join.ExitCode == 0, join.ToString());
        await newcomer.SyncOkAsync();

        browser.Open(registry.Url + "/ui/");
        var fingerprint = FingerprintOf(newcomer.ClientCertificate);
        browser.Until(d => BehindOf(d, fingerprint) == "up to date", "the new AMS in the fleet");
        browser.Driver.FindElement(By.LinkText("ams-newcomer")).Click();
        browser.Driver.FindElement(By.Id("confirm")).SendKeys("ams-newcomer");
        browser.Driver.FindElement(By.CssSelector("button.danger")).Click();
        Assert.Contains("Revoked certificate", browser.Until(d => d.FindElement(By.Id("outcome")).Text, "the outcome"), StringComparison.Ordinal);

        var (refused, _) = await newcomer.SyncAsync();
        output.WriteLine(refused.ToString());
        browser.Open(registry.Url + "/ui/");
        browser.Until(d => d.FindElements(By.CssSelector($"tr.knocking[data-fingerprint='{fingerprint}']")).Count == 1, "the revoked AMS to show as knocking");
        output.WriteLine(browser.Screenshot("operator"));

        // A page on another origin (a local file) posting to the registry: the browser sends the certificate along,
        // but neither the registry's Origin nor the form token, and the registry refuses.
        var evil = Path.Combine(site.Root, "evil.html");
        await File.WriteAllTextAsync(evil, $"""
            <form id="f" method="post" action="{registry.Url}/ui/tokens"><input name="role" value="publisher"></form>
            <script>document.getElementById('f').submit();</script>
            """);
        var tokensBefore = await registry.AarAsync("trust", "token", "list", "--format", "json");
        browser.Open(new Uri(evil).AbsoluteUri);
        browser.Until(d => d.PageSource.Contains("cross-site-request", StringComparison.Ordinal), "the registry's refusal");
        var tokensAfter = await registry.AarAsync("trust", "token", "list", "--format", "json");
        Assert.Equal(tokensBefore.Out, tokensAfter.Out);
    }

    /// <summary><c>aar trust certificate create</c> on the registry host: the PKCS#12 file and its one-time password.</summary>
    private static async Task<(string File, string Password)> CreateBrowserCertificateAsync(RegistryNode registry, string name, string role)
    {
        var file = Path.Combine(registry.Home, name + ".p12");
        var created = await registry.AarAsync("trust", "certificate", "create", "--name", name, "--role", role, "--out", file);
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        return (file, Password().Match(created.Out).Groups["password"].Value);
    }

    private static string BehindOf(IWebDriver driver, string fingerprint) =>
        driver.FindElement(By.CssSelector($"#fleet tr[data-fingerprint='{fingerprint}'] [data-testid='behind']")).Text.Trim();

    private static string FingerprintOf(string certificateFile)
    {
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificateFile));
        return Fingerprint.Of(certificate).Hex;
    }

    [GeneratedRegex(@"password \(shown only now\): (?<password>\S+)")]
    private static partial Regex Password();

    [GeneratedRegex(@"^amc registry join (?<token>\S+)$")]
    private static partial Regex JoinCommand();
}
