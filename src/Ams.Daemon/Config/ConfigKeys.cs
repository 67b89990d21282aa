using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Aar.Protocol.Certificates;
using Aar.Protocol.Signing;
using Aar.Protocol.Text;
using Ams.Daemon.Api;

namespace Ams.Daemon.Config;

/// <summary>
/// The configuration keys, their defaults and the rules a value must follow. Every refusal names the key, the value
/// and what is allowed (docs/ams.md lists the same).
/// </summary>
internal static partial class ConfigKeys
{
    public const string RegistryUrl = "registry.url";
    public const string RegistryFingerprint = "registry.fingerprint";
    public const string RegistryUpdateInterval = "registry.update_interval";
    public const string RegistryMode = "registry.mode";
    public const string RegistryFilter = "registry.filter";
    public const string AutoPublish = "application.auto_publish";
    public const string ConnectTimeout = "registry.timeout.connect";
    public const string IdleTimeout = "registry.timeout.idle";
    public const string PassTimeout = "registry.timeout.pass";
    public const string AllowHttpRedirects = "registry.redirect.allow_http";
    public const string RegistrySigningKey = "registry.signing_key";

    /// <summary>Shown by <c>amc config show</c>, fixed by <c>ams serve --architecture</c>.</summary>
    public const string Architecture = "architecture";

    public static readonly TimeSpan DefaultUpdateInterval = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinimumUpdateInterval = TimeSpan.FromSeconds(10);

    /// <summary>Smallest accepted value of each <c>registry.timeout.*</c> key.</summary>
    public static readonly FrozenDictionary<string, TimeSpan> MinimumTimeouts = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        [ConnectTimeout] = TimeSpan.FromSeconds(1),
        [IdleTimeout] = TimeSpan.FromSeconds(1),
        [PassTimeout] = TimeSpan.FromSeconds(10),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static readonly FrozenDictionary<string, string> Defaults = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [AutoPublish] = "false",
        [AllowHttpRedirects] = "false",
        [ConnectTimeout] = "15s",
        [IdleTimeout] = "1m",
        [PassTimeout] = "6h",
        [RegistryFilter] = "",
        [RegistryFingerprint] = "",
        [RegistryMode] = "pull",
        [RegistrySigningKey] = "",
        [RegistryUpdateInterval] = "1h",
        [RegistryUrl] = "",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    [GeneratedRegex(@"^[A-Za-z0-9_.:=\-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    /// <summary>Checks <paramref name="value"/> for <paramref name="key"/> and returns the form to store.</summary>
    public static Result<string> Normalize(string key, string value, IReadOnlyCollection<string> trustedFingerprints)
    {
        if (key == Architecture)
        {
            return ApiProblem.BadRequest("architecture is fixed when the daemon starts; restart it with 'ams serve --architecture amd64|arm64' to change it.");
        }

        if (!Defaults.TryGetValue(key, out var fallback))
        {
            return ApiProblem.BadRequest($"Unknown configuration key '{key}': use one of {string.Join(", ", Defaults.Keys.Order(StringComparer.Ordinal))}.");
        }

        value = value.Trim();
        if (value.Length == 0)
        {
            return fallback;
        }

        return key switch
        {
            RegistryUrl => NormalizeUrl(value),
            RegistryFingerprint => NormalizeFingerprint(value, trustedFingerprints),
            RegistryUpdateInterval => NormalizeInterval(value),
            RegistryMode => value.ToLowerInvariant() is "pull" or "push" or "manual"
                ? value.ToLowerInvariant()
                : ApiProblem.BadRequest($"registry.mode '{value}' is not valid: use pull (import from the registry), push (publish to it) or manual."),
            RegistryFilter => NormalizeFilter(value),
            RegistrySigningKey => NormalizeSigningKey(value),
            ConnectTimeout or IdleTimeout or PassTimeout => NormalizeTimeout(key, value),
            _ => value.ToLowerInvariant() is "true" or "false"
                ? value.ToLowerInvariant()
                : ApiProblem.BadRequest($"{key} '{value}' is not valid: use true or false."),
        };
    }

    private static Result<string> NormalizeUrl(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || string.IsNullOrEmpty(uri.Host)
            || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return ApiProblem.BadRequest($"registry.url '{value}' is not valid: give the registry's https address, such as https://192.168.178.45:3000 (no user, query or fragment).");
        }

        // The registry's API lives at the root of its address: a path would be silently dropped by some requests
        // and kept by others, so it is refused rather than guessed at.
        if (uri.AbsolutePath != "/")
        {
            return ApiProblem.BadRequest($"registry.url '{value}' has a path ('{uri.AbsolutePath}'): give only the registry's scheme, host and port, such as https://{uri.Authority}.");
        }

        return uri.GetLeftPart(UriPartial.Authority);
    }

    private static Result<string> NormalizeFingerprint(string value, IReadOnlyCollection<string> trusted)
    {
        if (!FingerprintPrefix.TryParse(value, out var prefix, out _))
        {
            return ApiProblem.BadRequest($"registry.fingerprint '{value}' is not valid: give the 64 hex characters (or a unique prefix of at least {Fingerprint.MinimumPrefixLength}) of the registry certificate's fingerprint, as 'amc config trust list' shows it.");
        }

        var matches = trusted.Where(f => prefix!.Matches(f)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => ApiProblem.BadRequest($"registry.fingerprint '{value}' matches no certificate in the trust list: add the registry's certificate first with 'amc config trust add server.crt'."),
            _ => ApiProblem.BadRequest($"registry.fingerprint '{value}' matches {matches.Count} trusted certificates: give more characters."),
        };
    }

    private static Result<string> NormalizeSigningKey(string value)
    {
        // Copied from a terminal, the key may carry line breaks or a PEM frame: only the base64 body matters.
        var body = string.Concat(value.Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)));
        return SigningPublicKey.TryParse(body, out var key, out var error)
            ? key!.Base64
            : ApiProblem.BadRequest($"registry.signing_key is not valid ({error}): give the public key 'aar status' prints as signing_public_key on the registry host (base64), or join with 'amc registry join <token>', which pins it for you.");
    }

    private static Result<string> NormalizeInterval(string value)
    {
        if (!DurationText.TryParse(value, out var interval))
        {
            return ApiProblem.BadRequest($"registry.update_interval '{value}' is not a duration: use a number with a unit, such as 30s, 5m, 1h or 1h30m (at least {DurationText.Format(MinimumUpdateInterval)}).");
        }

        if (interval < MinimumUpdateInterval)
        {
            return ApiProblem.BadRequest($"registry.update_interval '{value}' is too short: the minimum is {DurationText.Format(MinimumUpdateInterval)}, so the registry is not polled in a tight loop.");
        }

        return DurationText.Format(interval);
    }

    private static Result<string> NormalizeTimeout(string key, string value)
    {
        var minimum = MinimumTimeouts[key];
        if (!DurationText.TryParse(value, out var timeout) || timeout < minimum)
        {
            return ApiProblem.BadRequest($"{key} '{value}' is not valid: use a duration such as 30s, 5m or 2h (at least {DurationText.Format(minimum)}).");
        }

        return DurationText.Format(timeout);
    }

    private static Result<string> NormalizeFilter(string value)
    {
        var (tags, patterns) = (new List<string>(), new List<string>());
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.StartsWith(PullFilter.NamePrefix, StringComparison.Ordinal))
            {
                var pattern = entry[PullFilter.NamePrefix.Length..];
                if (!PullFilter.IsValidPattern(pattern))
                {
                    return ApiProblem.BadRequest($"registry.filter '{value}' is not valid: name pattern '{pattern}' may only use letters, digits, _ . - and the wildcards * and ? (up to {PullFilter.MaxPatternLength} characters), e.g. name=racing-*.");
                }

                patterns.Add(pattern);
                continue;
            }

            var tag = entry.StartsWith(PullFilter.TagPrefix, StringComparison.Ordinal) ? entry[PullFilter.TagPrefix.Length..] : entry;
            if (!TagPattern().IsMatch(tag))
            {
                return ApiProblem.BadRequest($"registry.filter '{value}' is not valid: tag '{tag}' may only use letters, digits and _ . : = - (a comma-separated list of tags and name=PATTERN entries, empty for all).");
            }

            tags.Add(tag);
        }

        return new PullFilter([.. tags.Distinct(StringComparer.Ordinal)], [.. patterns.Distinct(StringComparer.Ordinal)]).ToString();
    }
}
