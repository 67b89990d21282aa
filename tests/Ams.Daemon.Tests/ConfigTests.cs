using Aar.Protocol.Management;
using Ams.Daemon.Config;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using Xunit.Abstractions;

namespace Ams.Daemon.Tests;

public sealed class ConfigTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Show_lists_every_key_with_its_default_and_the_architecture()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output, architecture: "arm64");
        using var client = daemon.Client();

        var config = await client.GetConfigAsync();

        Assert.True(config.Succeeded, config.Problem?.Detail);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["application.auto_publish"] = "false",
                ["architecture"] = "arm64",
                ["registry.filter"] = "",
                ["registry.fingerprint"] = "",
                ["registry.mode"] = "pull",
                ["registry.redirect.allow_http"] = "false",
                ["registry.signing_key"] = "",
                ["registry.timeout.connect"] = "15s",
                ["registry.timeout.idle"] = "1m",
                ["registry.timeout.pass"] = "6h",
                ["registry.update_interval"] = "1h",
                ["registry.url"] = "",
            },
            config.Value!.Config);
    }

    [Theory]
    [InlineData("registry.url", "https://192.168.178.45:3000", "https://192.168.178.45:3000")]
    [InlineData("registry.url", "https://aar.example.com:3000/", "https://aar.example.com:3000")]
    [InlineData("registry.url", "https://[::1]:3000/", "https://[::1]:3000")]
    [InlineData("registry.update_interval", "5m", "5m")]
    [InlineData("registry.update_interval", "1h30m", "1h30m")]
    [InlineData("registry.update_interval", "90s", "1m30s")]
    [InlineData("registry.update_interval", "10s", "10s")]
    [InlineData("registry.mode", "push", "push")]
    [InlineData("registry.mode", "MANUAL", "manual")]
    [InlineData("registry.filter", "game, demo,game", "game,demo")]
    [InlineData("registry.filter", "name=racing-*, game,tag=demo,name=chess?,name=racing-*", "game,demo,name=racing-*,name=chess?")]
    [InlineData("registry.filter", "tag=name=odd", "tag=name=odd")]
    [InlineData("application.auto_publish", "true", "true")]
    [InlineData("registry.timeout.connect", "5s", "5s")]
    [InlineData("registry.timeout.idle", "90s", "1m30s")]
    [InlineData("registry.timeout.pass", "2h", "2h")]
    [InlineData("registry.redirect.allow_http", "TRUE", "true")]
    [InlineData("registry.signing_key", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEh0aE8msyjJ2sqqtJ+4f/rxgZZNyGz6l9oCSk1+ECPlNQV8eCbsPkWKJGhxtowTBT3EPJSaCLjLKAT8aQSSmZag==", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEh0aE8msyjJ2sqqtJ+4f/rxgZZNyGz6l9oCSk1+ECPlNQV8eCbsPkWKJGhxtowTBT3EPJSaCLjLKAT8aQSSmZag==")]
    [InlineData("registry.signing_key", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEh0aE8msyjJ2sqqtJ+4f/rxgZZNyG\nz6l9oCSk1+ECPlNQV8eCbsPkWKJGhxtowTBT3EPJSaCLjLKAT8aQSSmZag==\n-----END PUBLIC KEY-----\n", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEh0aE8msyjJ2sqqtJ+4f/rxgZZNyGz6l9oCSk1+ECPlNQV8eCbsPkWKJGhxtowTBT3EPJSaCLjLKAT8aQSSmZag==")]
    public async Task Set_stores_the_normalized_value_and_survives_a_restart(string key, string value, string expected)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using (var client = daemon.Client())
        {
            var set = await client.SetConfigAsync(key, value);
            Assert.True(set.Succeeded, set.Problem?.Detail);
            Assert.Equal(expected, set.Value!.Config[key]);
        }

        await daemon.RestartAsync();
        using var again = daemon.Client();
        Assert.Equal(expected, (await again.GetConfigAsync()).Value!.Config[key]);
    }

    [Theory]
    [InlineData("registry.url", "http://192.168.178.45:3000", "registry.url 'http://192.168.178.45:3000' is not valid: give the registry's https address")]
    [InlineData("registry.url", "not a url", "registry.url 'not a url' is not valid")]
    [InlineData("registry.url", "https://user:pw@host:3000", "registry.url 'https://user:pw@host:3000' is not valid")]
    [InlineData("registry.url", "https://host:3000/registry", "registry.url 'https://host:3000/registry' has a path ('/registry'): give only the registry's scheme, host and port, such as https://host:3000.")]
    [InlineData("registry.url", "https://host:3000//", "registry.url 'https://host:3000//' has a path ('//')")]
    [InlineData("registry.url", "https://host:3000/%2e%2e/admin", "registry.url 'https://host:3000/%2e%2e/admin' has a path")]
    [InlineData("registry.url", "https://host:3000/?", "registry.url 'https://host:3000/?' is not valid")]
    [InlineData("registry.url", "https://host:3000#top", "registry.url 'https://host:3000#top' is not valid")]
    [InlineData("registry.fingerprint", "xyz", "registry.fingerprint 'xyz' is not valid: give the 64 hex characters")]
    [InlineData("registry.fingerprint", "abcdef", "registry.fingerprint 'abcdef' is not valid")]
    [InlineData("registry.fingerprint", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "matches no certificate in the trust list: add the registry's certificate first")]
    [InlineData("registry.update_interval", "5x", "registry.update_interval '5x' is not a duration: use a number with a unit, such as 30s, 5m, 1h or 1h30m")]
    [InlineData("registry.update_interval", "0s", "registry.update_interval '0s' is too short: the minimum is 10s")]
    [InlineData("registry.update_interval", "9s", "registry.update_interval '9s' is too short")]
    [InlineData("registry.update_interval", "-5m", "registry.update_interval '-5m' is not a duration")]
    [InlineData("registry.mode", "both", "registry.mode 'both' is not valid: use pull (import from the registry), push (publish to it) or manual.")]
    [InlineData("registry.filter", "game,bad tag", "registry.filter 'game,bad tag' is not valid: tag 'bad tag'")]
    [InlineData("registry.filter", "name=../etc", "registry.filter 'name=../etc' is not valid: name pattern '../etc' may only use letters, digits, _ . - and the wildcards * and ?")]
    [InlineData("registry.filter", "name=", "registry.filter 'name=' is not valid: name pattern ''")]
    [InlineData("registry.filter", "name=[a-z]*", "name pattern '[a-z]*'")]
    [InlineData("application.auto_publish", "maybe", "application.auto_publish 'maybe' is not valid: use true or false.")]
    [InlineData("registry.timeout.idle", "0s", "registry.timeout.idle '0s' is not valid: use a duration such as 30s, 5m or 2h (at least 1s).")]
    [InlineData("registry.timeout.pass", "5s", "registry.timeout.pass '5s' is not valid: use a duration such as 30s, 5m or 2h (at least 10s).")]
    [InlineData("registry.timeout.connect", "soon", "registry.timeout.connect 'soon' is not valid")]
    [InlineData("registry.redirect.allow_http", "yes", "registry.redirect.allow_http 'yes' is not valid: use true or false.")]
    [InlineData("registry.signing_key", "not a key", "registry.signing_key is not valid (")]
    [InlineData("registry.signing_key", "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDYDtAG7zf/bbi+8gPbFJ/UfPToRlRYhKHXnaLSnF5QWVu+gR3ylRcRsvG7sDG4eUbXIPrQnLimrAyi27sqAH/nQXDN5KVGK+PVuePX2Y0dnl1vREg471BI8ldRuOl9tIwbZwHkiOdnDqSB15+UePS/hCJM8OGBhdRJP75EPBTSTwIDAQAB", "registry.signing_key is not valid (")]
    [InlineData("registry.signing_key", "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAEqi7/WMlQgQAJ3Iu7HFVCmgMDBbgmsKYepvB7U1+5J2y+W7NjG9X1SYrifKLJZfjb1U9+/fMi9HpjoEvDq2Zn5nGFpsTzNcU3AD+Tyg1NJqe3HGHbEoEFIIM3eaVf38U1", "registry.signing_key is not valid (")]
    [InlineData("registry.colour", "blue", "Unknown configuration key 'registry.colour': use one of application.auto_publish, registry.filter")]
    [InlineData("architecture", "arm64", "architecture is fixed when the daemon starts")]
    public async Task Set_refuses_bad_values_with_the_key_and_value_named_and_stores_nothing(string key, string value, string message)
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        var before = (await client.GetConfigAsync()).Value!.Config;

        var set = await client.SetConfigAsync(key, value);

        Assert.False(set.Succeeded);
        Assert.Equal(400, set.Problem!.Status);
        Assert.Contains(message, set.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(before, (await client.GetConfigAsync()).Value!.Config);
    }

    [Fact]
    public async Task Empty_value_restores_the_default()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var client = daemon.Client();
        await client.SetConfigAsync("registry.mode", "push");

        var reset = await client.SetConfigAsync("registry.mode", "");

        Assert.Equal("pull", reset.Value!.Config["registry.mode"]);
    }

    [Fact]
    public async Task A_change_is_announced_in_process_with_the_new_typed_configuration()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        var store = daemon.Host.Services.GetRequiredService<ConfigStore>();
        var changes = new List<ConfigChange>();
        store.Changed += (_, change) => changes.Add(change);
        using var client = daemon.Client();

        await client.SetConfigAsync("registry.update_interval", "30s");
        await client.SetConfigAsync("registry.update_interval", "30s");
        await client.SetConfigAsync("registry.update_interval", "5x");

        var change = Assert.Single(changes);
        Assert.Equal(("registry.update_interval", "1h", "30s"), (change.Key, change.OldValue, change.NewValue));
        Assert.Equal(TimeSpan.FromSeconds(30), change.Config.UpdateInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), store.Current.UpdateInterval);
    }

    [Fact]
    public async Task Malformed_request_body_gets_the_error_envelope()
    {
        await using var daemon = await AmsTestDaemon.StartAsync(output);
        using var http = Aar.Protocol.Http.UnixSocketHttp.CreateClient(daemon.Host.SocketPath);

        using var response = await http.PostAsync(ManagementRoutes.Config, new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(400, (int)response.StatusCode);
        Assert.StartsWith("{\"type\":\"error\",\"error_code\":400,\"error\":\"The request body is not valid JSON for ConfigPost", body, StringComparison.Ordinal);
    }
}
