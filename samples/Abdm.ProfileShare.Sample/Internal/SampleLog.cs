using Abdm.ProfileShare.Model;
using Abdm.ProfileShare.Sample.Operators;

namespace Abdm.ProfileShare.Sample.Internal;

/// <summary>The sample's log messages (event ids 6000-6099). Never patient data, tokens or passwords (except <see cref="DemoOperatorCreated"/>).</summary>
internal static partial class SampleLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Sample HIS running in {Mode} mode ({Environment}). Open {HomeUrl} in a browser.")]
    public static partial void Started(ILogger logger, SampleMode mode, Uri homeUrl, string environment);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Gateway simulator started at {BaseUrl} (client credentials generated for this run).")]
    public static partial void SimulatorStarted(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Sandbox mode: the gateway is {BaseUrl}. ABDM must reach {CallbackBaseUrl} (forward your public HTTPS bridge URL to this listener only).")]
    public static partial void SandboxMode(ILogger logger, Uri baseUrl, Uri callbackBaseUrl);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Wire version {WireVersion}; gateway callbacks at {CallbackBaseUrl}; store: SQLite at {DatabasePath}.")]
    public static partial void Configuration(ILogger logger, WireVersion wireVersion, Uri callbackBaseUrl, string databasePath);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Demo operator for {HipId} created: user {UserName}, password {Password} (shown this once; set a new one with add-operator).")]
    public static partial void DemoOperatorCreated(ILogger logger, string hipId, string userName, string password);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Operator {UserName} signs in for {HipId} (password shown on the first run; set a new one with add-operator).")]
    public static partial void DemoOperatorExists(ILogger logger, string hipId, string userName);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Information, Message = "Operator sign-in: {Outcome}.")]
    public static partial void SignIn(ILogger logger, SignInOutcome outcome);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Simulated a {Version} scan at {HipId}/{CounterCode}; the HIS answered {StatusCode}.")]
    public static partial void SimulatedScan(ILogger logger, string hipId, string counterCode, WireVersion version, string statusCode);

    // 6020, 6022 and 6030 are Debug: the SDK logs the same queue actions (1320) and linking outcome (1311) at Information.
    [LoggerMessage(EventId = 6020, Level = LogLevel.Debug, Message = "Entry {EntryId} claimed by an operator: {Outcome}.")]
    public static partial void Claimed(ILogger logger, Guid entryId, Workflow.QueueActionOutcome outcome);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Information, Message = "Entry {EntryId} completed as patient {PatientId} ({How}): {Outcome}.")]
    public static partial void Completed(ILogger logger, Guid entryId, string patientId, string how, Workflow.QueueActionOutcome outcome);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Debug, Message = "Entry {EntryId}: {Action} -> {Outcome}.")]
    public static partial void QueueAction(ILogger logger, Guid entryId, string action, Workflow.QueueActionOutcome outcome);

    [LoggerMessage(EventId = 6023, Level = LogLevel.Information, Message = "Entry {EntryId} not registered: its ABHA number or address is already tagged to patient {PatientId}.")]
    public static partial void AlreadyTagged(ILogger logger, Guid entryId, string patientId);

    [LoggerMessage(EventId = 6030, Level = LogLevel.Debug, Message = "Linking token received for entry {EntryId}.")]
    public static partial void LinkingTokenReceived(ILogger logger, Guid entryId);

    [LoggerMessage(EventId = 6031, Level = LogLevel.Warning, Message = "Linking failed for entry {EntryId}: {State} ({ErrorCode}).")]
    public static partial void LinkingFailed(ILogger logger, Guid entryId, LinkingState state, string errorCode);

    [LoggerMessage(EventId = 6040, Level = LogLevel.Information, Message = "Share for entry {EntryId} at unknown counter refused.")]
    public static partial void UnknownCounter(ILogger logger, Guid entryId);
}
