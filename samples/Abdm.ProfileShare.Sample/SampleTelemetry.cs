using Abdm.ProfileShare;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Abdm.ProfileShare.Sample;

/// <summary>
/// Wires OpenTelemetry the way a HIS would: the SDK's ActivitySource and Meter (<see cref="AbdmProfileShareTelemetry.Name"/>)
/// plus ASP.NET Core and HttpClient instrumentation, exported to the console or to an OTLP collector
/// (<c>Sample:Telemetry:Exporter</c> = <c>none</c> (default), <c>console</c> or <c>otlp</c>; the OTLP endpoint comes from the
/// standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable).
/// </summary>
internal static class SampleTelemetry
{
    public static void Add(WebApplicationBuilder builder)
    {
        var exporter = builder.Configuration["Sample:Telemetry:Exporter"]?.Trim().ToUpperInvariant() ?? "NONE";
        if (exporter is not ("CONSOLE" or "OTLP"))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing =>
            {
                tracing.AddSource(AbdmProfileShareTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (exporter == "OTLP")
                {
                    tracing.AddOtlpExporter();
                }
                else
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AbdmProfileShareTelemetry.Name).AddAspNetCoreInstrumentation();
                if (exporter == "OTLP")
                {
                    metrics.AddOtlpExporter();
                }
                else
                {
                    metrics.AddConsoleExporter();
                }
            });
    }
}
