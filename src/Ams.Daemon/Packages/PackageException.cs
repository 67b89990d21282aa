namespace Ams.Daemon.Packages;

/// <summary>
/// A package is refused; the message names the file and the field and says what to fix. Thrown only inside the
/// package readers (deep in a streaming pass an exception is the simplest way out) and turned into an
/// <see cref="Api.ApiProblem"/> at <see cref="PackageInspector"/>'s boundary, never beyond it.
/// </summary>
internal sealed class PackageException(string message, int code = 400) : Exception(message)
{
    /// <summary>The HTTP status of the refusal: 400 for a bad package, or what the manifest callback decided (409 …).</summary>
    public int Code { get; } = code;
}
