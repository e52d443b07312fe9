using Abdm.ProfileShare.Storage;
using Abdm.ProfileShare.Diagnostics.Internal;
using Abdm.ProfileShare.Workflow.Internal;
using Abdm.ProfileShare.Workflow.Internal.Steps;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Abdm.ProfileShare.Workflow;

internal static class WorkflowServiceCollectionExtensions
{
    public static IServiceCollection AddAbdmProfileShareWorkflow(this IServiceCollection services)
    {
        services.TryAddSingleton<IProfileShareStore, InMemoryProfileShareStore>();
        services.TryAddSingleton<WorkflowClock>();
        services.TryAddSingleton<OutboxSignal>();

        // Linking tokens are encrypted at rest with the host's Data Protection key ring (the host configures where the
        // keys are kept: AddDataProtection().PersistKeysTo...; several instances must share the ring).
        services.AddDataProtection();
        services.TryAddSingleton<LinkingTokenProtector>();
        services.TryAddSingleton<EntryTransitions>();
        services.TryAddSingleton<ProfileShareWorkflow>();
        services.TryAddSingleton<ShareIntentDeduplicator>();
        services.TryAddSingleton<IProfileShareInbox, ProfileShareInbox>();
        services.TryAddSingleton<ICounterQueue, CounterQueue>();
        services.TryAddScoped<IProfileShareHandler, AcceptAllProfileShareHandler>();
        services.TryAddScoped<IPatientDirectory, EmptyPatientDirectory>();
        services.TryAddScoped<ILinkingTokenHandler, NoOpLinkingTokenHandler>();

        // The outbox: one step per item kind, run by the pump.
        services.TryAddSingleton<LinkingRequestGate>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxStep, AcknowledgementStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxStep, AuthInitStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxStep, AuthConfirmStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxStep, GenerateLinkTokenStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxStep, LinkingTimeoutStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IOutboxStep, LinkingNotificationStep>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, OutboxProcessor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, QueueLengthMonitor>());
        services.TryAddSingleton<BridgeServiceCheck>();
        services.TryAddSingleton<RunningTokenResponder>();
        services.TryAddSingleton<IRunningTokenStatusRequests>(sp => sp.GetRequiredService<RunningTokenResponder>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RunningTokenResponder>(sp => sp.GetRequiredService<RunningTokenResponder>()));
        return services;
    }
}
