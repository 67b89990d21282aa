using Aar.Protocol.Registry;
using Aar.Protocol.Signing;
using Aar.Protocol.Text;

namespace Ams.Daemon.Config;

/// <summary>Builds the typed <see cref="AmsConfig"/> from stored (already validated) text values.</summary>
internal static class ConfigSnapshot
{
    public static AmsConfig Build(IReadOnlyDictionary<string, string> stored, string architecture)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, fallback) in ConfigKeys.Defaults)
        {
            values[key] = stored.TryGetValue(key, out var value) ? value : fallback;
        }

        values[ConfigKeys.Architecture] = architecture;
        return new AmsConfig
        {
            RegistryUrl = values[ConfigKeys.RegistryUrl] is { Length: > 0 } url ? new Uri(url) : null,
            RegistryFingerprint = values[ConfigKeys.RegistryFingerprint],
            SigningKey = SigningPublicKey.TryParse(values[ConfigKeys.RegistrySigningKey], out var signingKey, out _) ? signingKey : null,
            UpdateInterval = DurationText.TryParse(values[ConfigKeys.RegistryUpdateInterval], out var interval) ? interval : ConfigKeys.DefaultUpdateInterval,
            Mode = values[ConfigKeys.RegistryMode] switch
            {
                "push" => RegistryMode.Push,
                "manual" => RegistryMode.Manual,
                _ => RegistryMode.Pull,
            },
            Filter = PullFilter.Parse(values[ConfigKeys.RegistryFilter]),
            AutoPublish = values[ConfigKeys.AutoPublish] == "true",
            Transport = new RegistryClientOptions
            {
                ConnectTimeout = Duration(values, ConfigKeys.ConnectTimeout),
                IdleTimeout = Duration(values, ConfigKeys.IdleTimeout),
                AllowHttpRedirects = values[ConfigKeys.AllowHttpRedirects] == "true",
            },
            PassTimeout = Duration(values, ConfigKeys.PassTimeout),
            Values = values,
        };
    }

    private static TimeSpan Duration(SortedDictionary<string, string> values, string key) =>
        DurationText.TryParse(values[key], out var value) ? value : DurationText.TryParse(ConfigKeys.Defaults[key], out var fallback) ? fallback : TimeSpan.FromMinutes(1);
}
