namespace Aar.Server.Uploads;

/// <summary>
/// A session staged at the content address of the digest named when it started, finished with another digest: its
/// bytes cannot be committed there (<see cref="IUploadStaging.CommitAsync"/>), and the session is discarded.
/// </summary>
internal sealed class StagedForAnotherDigestException(string named)
    : InvalidOperationException($"The upload session was started for {named}; it can only be finished with that digest.")
{
    public string Named { get; } = named;
}
