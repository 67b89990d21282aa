using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace EndToEnd.Tests.Dashboard;

/// <summary>
/// Debian's headless Chromium presenting one client certificate, driven through Debian's chromedriver with Selenium.
/// How the certificate gets presented without a person clicking "OK" in a selection dialog:
/// <list type="number">
/// <item>Chromium on Linux takes client certificates from the NSS database in <c>$HOME/.pki/nssdb</c>. Each browser
/// gets its own HOME with a fresh database (<c>certutil -N</c>) holding the one PKCS#12 file
/// <c>aar trust certificate create</c> wrote (<c>pk12util -i</c>), so there is exactly one certificate to choose. The
/// browser binary is a small script that sets that HOME and runs <c>/usr/bin/chromium</c>.</item>
/// <item>Without a policy, headless Chromium presents no certificate at all (the handshake fails and the page stays
/// empty). The <c>AutoSelectCertificateForUrls</c> policy, read from <c>/etc/chromium/policies/managed/</c>, makes it
/// pick the matching certificate for <c>https://127.0.0.1</c> (any port); the filter is empty because each database
/// holds one certificate. Writing there needs root, as .ci/run has.</item>
/// <item>The registry's server certificate is self-signed (AMS pin it by fingerprint), so the browser runs with
/// <c>--ignore-certificate-errors</c>.</item>
/// </list>
/// </summary>
internal sealed class Browser : IDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    public const string ChromeDriver = "/usr/bin/chromedriver";
    private const string PolicyDirectory = "/etc/chromium/policies/managed";
    private const string PolicyFile = PolicyDirectory + "/aar-dashboard-tests.json";

    private readonly ChromeDriver _driver;

    private Browser(ChromeDriver driver) => _driver = driver;

    public IWebDriver Driver => _driver;

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? MissingReason()
    {
        string[] tools = [Chromium, ChromeDriver, "/usr/bin/certutil", "/usr/bin/pk12util"];
        var missing = tools.Where(t => !File.Exists(t)).ToList();
        if (missing.Count > 0)
        {
            return $"Needs {string.Join(", ", missing)}: apt-get install --no-install-recommends chromium chromium-driver libnss3-tools.";
        }

        return Environment.IsPrivilegedProcess ? null : $"Needs root to install the Chromium policy that selects the client certificate ({PolicyFile}); bash .ci/run runs as root.";
    }

    /// <summary>A browser whose only client certificate is the one in <paramref name="pkcs12"/>.</summary>
    public static async Task<Browser> StartAsync(string directory, string pkcs12, string password, int width = 1280, int height = 900)
    {
        InstallPolicy();
        var home = Path.Combine(directory, "home");
        var nssdb = Path.Combine(home, ".pki", "nssdb");
        Directory.CreateDirectory(nssdb);
        await RunAsync("certutil", "-N", "-d", $"sql:{nssdb}", "--empty-password");
        await RunAsync("pk12util", "-i", pkcs12, "-d", $"sql:{nssdb}", "-W", password);
        var wrapper = Path.Combine(directory, "chromium");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nHOME='{home}' exec {Chromium} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var options = new ChromeOptions { BinaryLocation = wrapper };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--ignore-certificate-errors",
            $"--user-data-dir={Path.Combine(directory, "profile")}", $"--window-size={width},{height}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new Browser(new ChromeDriver(service, options, TimeSpan.FromSeconds(90)));
    }

    public void Open(string url) => _driver.Navigate().GoToUrl(url);

    /// <summary>Waits (up to 30 s) until <paramref name="condition"/> holds on the live page, without reloading it.</summary>
    public T Until<T>(Func<IWebDriver, T> condition, string what)
    {
        var wait = new WebDriverWait(_driver, TimeSpan.FromSeconds(30)) { Message = what, PollingInterval = TimeSpan.FromMilliseconds(200) };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }

    public object? Script(string script, params object[] args) => _driver.ExecuteScript(script, args);

    /// <summary>Saves a PNG of the viewport under <see cref="ScreenshotDirectory"/> and returns its path.</summary>
    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var path = Path.Combine(ScreenshotDirectory, name + ".png");
        _driver.GetScreenshot().SaveAsFile(path);
        return path;
    }

    /// <summary>The page as it would look with the system set to dark, at a phone's width.</summary>
    public void PhoneDark()
    {
        _driver.Manage().Window.Size = new System.Drawing.Size(390, 844);
        _driver.ExecuteCdpCommand("Emulation.setEmulatedMedia", new Dictionary<string, object?>
        {
            ["features"] = new[] { new Dictionary<string, object> { ["name"] = "prefers-color-scheme", ["value"] = "dark" } },
        });
    }

    /// <summary>Where screenshots go: <c>AAR_SCREENSHOTS</c>, or <c>screenshots/</c> next to the test assembly.</summary>
    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("AAR_SCREENSHOTS") is { Length: > 0 } configured ? configured : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public void Dispose()
    {
        _driver.Quit();
        _driver.Dispose();
    }

    /// <summary>Once per run; left in place afterwards it only affects https://127.0.0.1 in Chromium on this machine.</summary>
    private static void InstallPolicy()
    {
        Directory.CreateDirectory(PolicyDirectory);
        File.WriteAllText(PolicyFile, """{"AutoSelectCertificateForUrls": ["{\"pattern\":\"https://127.0.0.1\",\"filter\":{}}"]}""");
    }

    private static async Task RunAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {process.ExitCode}: {await output}{await error}");
        }
    }
}
