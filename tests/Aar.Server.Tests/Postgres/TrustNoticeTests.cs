using Aar.Server.Data;

namespace Aar.Server.Tests.Postgres;

/// <summary>
/// The payloads of trust notifications and of their confirmations come from the shared database, where anyone with
/// NOTIFY rights can send anything: only the exact shapes the nodes send are read, everything else is ignored.
/// </summary>
public sealed class TrustNoticeTests
{
    private const string Node = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_notice_is_the_sending_node_and_its_sequence_number()
    {
        Assert.True(PostgresRegistryDatabase.TryParseNotice($"{Node}:42", out var node, out var sequence));
        Assert.Equal((Node, 42L), (node, sequence));
    }

    [Fact]
    public void A_confirmation_is_the_sequence_number_and_the_confirming_node()
    {
        Assert.True(PostgresRegistryDatabase.TryParseConfirmation($"7:{Node}", out var sequence, out var node));
        Assert.Equal((7L, Node), (sequence, node));
    }

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData(":1")]
    [InlineData(Node)]
    [InlineData(Node + ":")]
    [InlineData(Node + ":-1")]
    [InlineData(Node + ": 1")]
    [InlineData(Node + ":1:2")]
    [InlineData(Node + ":99999999999999999999")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF:1")]
    [InlineData("0123456789abcdef0123456789abcde:1")]
    [InlineData("0123456789abcdef0123456789abcdef0:1")]
    [InlineData("../../etc/passwd:1")]
    public void Any_other_notice_shape_is_not_confirmed(string payload) =>
        Assert.False(PostgresRegistryDatabase.TryParseNotice(payload, out _, out _));

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("1:")]
    [InlineData(":" + Node)]
    [InlineData("x:" + Node)]
    [InlineData("-1:" + Node)]
    [InlineData("1:" + Node + "0")]
    [InlineData("1:" + Node + ":2")]
    [InlineData("1:0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("99999999999999999999:" + Node)]
    public void Any_other_confirmation_shape_is_ignored(string payload) =>
        Assert.False(PostgresRegistryDatabase.TryParseConfirmation(payload, out _, out _));
}
