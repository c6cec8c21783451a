using MessagePack;

namespace Athomic.Scheduler.Sample;

/// <summary>Sent a few seconds after sign-up.</summary>
[MessagePackObject]
public sealed record WelcomeEmail([property: Key(0)] Guid UserId, [property: Key(1)] string Email);

/// <summary>Ends a trial; scheduled at sign-up.</summary>
[MessagePackObject]
public sealed record TrialEnded([property: Key(0)] Guid UserId);

/// <summary>Nudges a trial user to upgrade; cancelled when they do.</summary>
[MessagePackObject]
public sealed record UpgradeReminder([property: Key(0)] Guid UserId, [property: Key(1)] int DaysLeft);

[MessagePackObject] public sealed record SignupReport([property: Key(0)] string Audience);
