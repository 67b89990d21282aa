using System.Globalization;
using Aar.Cli.Common;
using Aar.Protocol.Management;
using Aar.Protocol.Text;

namespace Amc.Cli.Registry;

/// <summary>
/// <c>amc registry status --format table</c>: the status for people. The same keys as json/yaml in a KEY/VALUE table,
/// then a table of transfers in flight (progress, rate and time left in human units) and one of rejected versions;
/// json and yaml carry the exact numbers.
/// </summary>
internal static class RegistryStatusTable
{
    public static void Write(CliConsole console, RegistryStatus status)
    {
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "mode", status.Mode },
            new[] { "url", status.Url },
            new[] { "fingerprint", CellText.Fingerprint(status.Fingerprint, OutputFormat.Table) },
            new[] { "architecture", status.Architecture },
            new[] { "client_fingerprint", CellText.Fingerprint(status.ClientFingerprint, OutputFormat.Table) },
            new[] { "update_interval", status.UpdateInterval },
            new[] { "running", CellText.Flag(status.Running) },
            new[] { "next_pass_at", CellText.Time(status.NextPassAt) },
            new[] { "generation", CellText.Number(status.Generation) },
        };
        if (status.SigningKey is { } key)
        {
            rows.Add(["signing_key", CellText.Fingerprint(key.KeyId, OutputFormat.Table) + (key.PinnedBy == "first-use" ? " (pinned on first use)" : "")]);
            rows.Add(["listing_expires_at", key.ListingExpiresAt is { } expires
                ? $"{CellText.Time(expires)} (generation {CellText.Number(key.ListingGeneration ?? 0)}, signed {CellText.Time(key.ListingSignedAt)})"
                : "no signed listing verified yet"]);
        }
        else
        {
            rows.Add(["signing_key", "not pinned (pinned at the first pass)"]);
        }

        if (status.LastPass is { } pass)
        {
            rows.Add(["last_pass", string.Create(CultureInfo.InvariantCulture,
                $"{pass.Result} ({pass.Mode}, finished {CellText.Time(pass.FinishedAt)}): {pass.Uploaded} uploaded, {pass.Downloaded} downloaded, {pass.Deleted} deleted, {pass.Unchanged} unchanged")
                + (pass.UploadSentBytes is { } sent ? $"; uploads sent {CellText.Size(sent)}, saved {CellText.Size(pass.UploadSavedBytes ?? 0)}" : "")]);
            rows.AddRange(pass.Errors.Select(e => (IReadOnlyList<string>)["error", e]));
            rows.AddRange(pass.Conflicts.Select(c => (IReadOnlyList<string>)["conflict", c]));
        }

        if (status.LastDelta is { } delta)
        {
            rows.Add(["last_delta", $"{delta.Application} {CellText.Number(delta.Version)}: {CellText.Size(delta.Fetched)} moved, {CellText.Size(delta.Reused)} saved (finished {CellText.Time(delta.FinishedAt)})"]);
        }

        DataWriter.WriteTable(console, ["KEY", "VALUE"], rows);
        if (status.Transfers.Count > 0)
        {
            DataWriter.WriteTable(console, ["APPLICATION", "VERSION", "DIRECTION", "PROGRESS", "RATE", "TIME LEFT"], status.Transfers.Select(t => (IReadOnlyList<string>)
            [
                t.Application,
                CellText.Number(t.Version),
                t.Direction,
                $"{CellText.Size(t.Bytes)} of {CellText.Size(t.Total)}" + (t.SavedBytes is { } saved ? $" ({CellText.Size(saved)} not {(t.Direction == "download" ? "fetched" : "sent")})" : ""),
                $"{CellText.Size((long)t.BytesPerSecond)}/s",
                t.StalledSeconds is { } stalled
                    ? string.Create(CultureInfo.InvariantCulture, $"stalled for {stalled:0} s, will resume")
                    : t.EtaSeconds is { } eta ? DurationText.Format(TimeSpan.FromSeconds(Math.Ceiling(eta))) : "unknown",
            ]));
        }

        if (status.Rejected is { Count: > 0 } rejected)
        {
            DataWriter.WriteTable(console, ["REJECTED", "VERSION", "SIZE", "REJECTED AT", "REASON"], rejected.Select(r => (IReadOnlyList<string>)
                [r.Application, CellText.Number(r.Version), CellText.Size(r.Size), CellText.Time(r.RejectedAt), r.Reason]));
        }
    }
}
