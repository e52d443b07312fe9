using Abdm.ProfileShare.Model;

namespace Abdm.ProfileShare.Sample.Internal;

/// <summary>The sample's log messages (event ids 6000-6099). Never patient data.</summary>
internal static partial class SampleLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Sample HIS running in {Mode} mode. Open {HomeUrl} in a browser.")]
    public static partial void Started(ILogger logger, SampleMode mode, Uri homeUrl);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Gateway simulator started at {BaseUrl} (client credentials generated for this run).")]
    public static partial void SimulatorStarted(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Registered HIP {HipId} with the simulator; callbacks go to {CallbackBaseUrl}.")]
    public static partial void HipRegistered(ILogger logger, string hipId, Uri callbackBaseUrl);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "Sandbox mode: the gateway is {BaseUrl}. ABDM must reach this host's /abdm path (the bridge URL registered with ABDM).")]
    public static partial void SandboxMode(ILogger logger, Uri baseUrl);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Information, Message = "Data is kept in {DatabasePath}.")]
    public static partial void DataLocation(ILogger logger, string databasePath);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Information, Message = "Simulated a {Version} scan at {HipId}/{CounterCode}; the HIS answered {StatusCode}.")]
    public static partial void SimulatedScan(ILogger logger, string hipId, string counterCode, WireVersion version, int? statusCode);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "Entry {EntryId} claimed by an operator: {Outcome}.")]
    public static partial void Claimed(ILogger logger, Guid entryId, Workflow.QueueActionOutcome outcome);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Information, Message = "Entry {EntryId} completed as patient {PatientId} ({How}): {Outcome}.")]
    public static partial void Completed(ILogger logger, Guid entryId, string patientId, string how, Workflow.QueueActionOutcome outcome);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Information, Message = "Entry {EntryId}: {Action} -> {Outcome}.")]
    public static partial void QueueAction(ILogger logger, Guid entryId, string action, Workflow.QueueActionOutcome outcome);

    [LoggerMessage(EventId = 6030, Level = LogLevel.Information, Message = "Linking token received for entry {EntryId}.")]
    public static partial void LinkingTokenReceived(ILogger logger, Guid entryId);

    [LoggerMessage(EventId = 6031, Level = LogLevel.Warning, Message = "Linking failed for entry {EntryId}: {State} (error {ErrorCode}).")]
    public static partial void LinkingFailed(ILogger logger, Guid entryId, LinkingState state, string? errorCode);

    [LoggerMessage(EventId = 6040, Level = LogLevel.Information, Message = "Share for entry {EntryId} at unknown counter refused.")]
    public static partial void UnknownCounter(ILogger logger, Guid entryId);
}
