namespace Aar.Server.Enrolment;

/// <summary>The enrolment rate limit, as the composition root hands it to <see cref="EnrolmentServiceCollectionExtensions.AddEnrolment"/>.</summary>
internal sealed record EnrolmentLimits
{
    /// <summary><c>POST /1.0/enrol</c> attempts allowed from one source address per <see cref="Window"/> (<c>--enrol-attempts</c>).</summary>
    public required int Attempts { get; init; }

    /// <summary>The window <see cref="Attempts"/> counts over (<c>--enrol-window</c>).</summary>
    public required TimeSpan Window { get; init; }
}
