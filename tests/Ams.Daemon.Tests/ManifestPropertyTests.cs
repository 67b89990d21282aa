using System.Text;
using Aar.Protocol.Registry;
using Ams.Daemon.Packages;
using CsCheck;
using TestSupport;

namespace Ams.Daemon.Tests;

public sealed class ManifestPropertyTests
{
    private const long CaseAllocationBound = 16L * 1024 * 1024;

    private static readonly Gen<string> NameGen = Gen.String[Gen.Char["abcXYZ019_.-"], 1, ManifestRules.MaxNameLength]
        .Where(n => n is not ("." or ".."));

    // Fragments that steer random text into YAML's corners: flow and block collections, anchors, tags, quotes,
    // directives, document markers, escapes and characters YAML forbids.
    private static readonly Gen<string> YamlLike = Gen.OneOf(
            "name: ", "hello", "a", "1", "[", "]", "{", "}", ":", ": ", "- ", "-", ",", " ", "  ", "\n", "\r\n", "\t", "#",
            "&x ", "*x", "!!str ", "!tag ", "'", "\"", "\\", "\\e", "\\u00", "? ", "|", ">", "%YAML 1.2\n", "%TAG ! x\n",
            "---\n", "...\n", "é", "\u0000", "\u0085", "\uFEFF", "tags: ", "resources:\n  ", "cpus: ", "extra-data:\n  ",
            "services:\n  - ", "<<: ", "~", "null", "true", "0x1F", "9999999999999999999")
        .Array[0, 60].Select(parts => string.Concat(parts));

    [Fact]
    public void Arbitrary_bytes_are_parsed_or_refused_never_anything_else() =>
        PropertyCheck.ForAll(Gen.Byte.Array[0, 400], 10_000, bytes => ParseOrRefuse(bytes));

    [Fact]
    public void Yaml_like_text_is_parsed_or_refused_never_anything_else() =>
        PropertyCheck.ForAll(YamlLike, 20_000, text => ParseOrRefuse(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void Deep_or_wide_nesting_of_any_shape_is_refused_with_the_limit_named() =>
        PropertyCheck.ForAll(Gen.Select(Gen.Int[ManifestParser.MaxDepth, 5000], Gen.OneOf("[", "{", "- ", "[{a: ")), 200, value =>
        {
            var (depth, open) = value;
            var text = "name: hello\ntags: " + string.Concat(Enumerable.Repeat(open, depth)) + "\n";
            var error = Assert.Throws<PackageException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes(text), hasApk: false));
            Assert.True(error.Message.Contains("levels deep", StringComparison.Ordinal) || error.Message.Contains("invalid YAML", StringComparison.Ordinal), error.Message);
        });

    [Fact]
    public void Valid_manifests_round_trip()
    {
        var gen = Gen.Select(
            NameGen,
            Gen.String[Gen.Char["0123456789.abc-"], 1, 50],
            Gen.String[Gen.Char["abcdefgh-"], 1, 20].List[0, 8],
            Gen.Int[1, 1024],
            Gen.Select(Gen.String[Gen.Char["abcdef"], 1, 12], Gen.Int[1, 65535]).List[0, 4],
            Gen.String[Gen.Char["abcdef.123"], 1, 30].List[0, 4]);
        PropertyCheck.ForAll(gen, 1000, value =>
        {
            var (name, version, tags, cpus, services, extra) = value;
            extra = extra.Where(e => !e.StartsWith('.')).Distinct().ToList();
            var yaml = new StringBuilder()
                .Append("name: '").Append(name).Append("'\n")
                .Append("version: \"").Append(version).Append("\"\n")
                .Append("tags: [").Append(string.Join(", ", tags.Select(t => $"'{t}'"))).Append("]\n")
                .Append("resources:\n  cpus: ").Append(cpus).Append('\n');
            if (services.Count > 0)
            {
                yaml.Append("services:\n");
                services.ForEach(s => yaml.Append("  - name: ").Append(s.Item1).Append("\n    port: ").Append(s.Item2).Append('\n'));
            }

            if (extra.Count > 0)
            {
                yaml.Append("extra-data:\n");
                extra.ForEach(e => yaml.Append("  '").Append(e).Append("':\n    target: /sdcard/Android/obb/").Append(e).Append('\n'));
            }

            var manifest = ManifestParser.Parse(Encoding.UTF8.GetBytes(yaml.ToString()), hasApk: false);

            Assert.Equal(name, manifest.Name);
            Assert.Equal(version, manifest.Version);
            Assert.Equal(tags, manifest.Tags);
            Assert.Equal(cpus.ToString(System.Globalization.CultureInfo.InvariantCulture), manifest.Resources["cpus"]);
            Assert.Equal(services.Select(s => (s.Item1, s.Item2)), manifest.Services.Select(s => (s.Name, s.Port)));
            Assert.Equal(extra.Order(StringComparer.Ordinal), manifest.ExtraData.Keys.Order(StringComparer.Ordinal));
        }, value => value.ToString());
    }

    [Fact]
    public void A_valid_name_with_a_line_break_or_a_control_character_added_is_refused() =>
        PropertyCheck.ForAll(Gen.Select(NameGen, Gen.OneOf("\\n", "\\r", "\\t", "\\0", "\\e", "\\x85", "\\u2028", " ", "/", "\\\\")), 500, value =>
        {
            var (name, suffix) = value;
            var error = Assert.Throws<PackageException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes($"name: \"{name}{suffix}\"\n"), hasApk: false));
            Assert.StartsWith("manifest.yaml line 1: 'name' is ", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        });

    [Fact]
    public void A_manifest_name_is_accepted_exactly_when_the_registry_rule_accepts_it() =>
        PropertyCheck.ForAll(Gen.String[Gen.Char["aZ09_.-/ \n\t\u00e9\u202e"], 0, 70], 3000, name =>
        {
            var quoted = "\"" + string.Concat(name.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";
            var accepted = true;
            try
            {
                ManifestParser.Parse(Encoding.UTF8.GetBytes($"name: {quoted}\n"), hasApk: false);
            }
            catch (PackageException)
            {
                accepted = false;
            }

            Assert.Equal(ApplicationName.IsValid(name), accepted);
        });

    [Theory]
    [InlineData("\".\"")]
    [InlineData("\"..\"")]
    [InlineData("\"hello\\n\"")]
    [InlineData("\"\"")]
    public void Names_the_registry_refuses_are_refused_here_too(string name)
    {
        var error = Assert.Throws<PackageException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes($"name: {name}\n"), hasApk: false));

        Assert.Contains("use only letters, digits, '_', '.' and '-' (at most 64), and not '.' or '..'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("instance-type: \"a2.3\\n\"")]
    [InlineData("boot-package: \"com.example.app\\n\"")]
    [InlineData("resources:\n  memory: \"3GB\\n\"")]
    [InlineData("hooks:\n  timeout: \"5m\\n\"")]
    [InlineData("extra-data:\n  a:\n    target: /sdcard/Android/obb/a\n    permissions: \"0644\\n\"")]
    public void Values_with_a_trailing_newline_are_refused(string line)
    {
        Assert.Throws<PackageException>(() => ManifestParser.Parse(Encoding.UTF8.GetBytes($"name: hello\n{line}\n"), hasApk: false));
    }

    private static void ParseOrRefuse(byte[] bytes)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            ManifestParser.Parse(bytes, hasApk: false);
        }
        catch (PackageException)
        {
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < CaseAllocationBound, $"parsing {bytes.Length} bytes allocated {allocated} bytes");
    }
}
