using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Abdm.ProfileShare.Sample;

/// <summary>
/// The sample's two Kestrel listeners: the operators' UI (<c>--urls</c>, default <c>http://127.0.0.1:5000</c>) and the
/// gateway's callbacks with <c>/health</c> (<c>Sample:CallbackUrls</c>, default <c>http://127.0.0.1:5080</c>). Each
/// connection is marked with the listener it came in on, and <see cref="Gate"/> answers 404 to a path of the other
/// listener, so only the callback port needs to be reachable from ABDM (a public HTTPS URL forwarding to it) and the
/// UI can stay on the hospital's network. The local port is not used for this: behind a proxy or with port 0 the
/// connection's mark is what is reliable.
/// </summary>
internal sealed class SampleListeners
{
    public const string DefaultUiUrl = "http://127.0.0.1:5000";
    public const string DefaultCallbackUrl = "http://127.0.0.1:5080";

    private readonly List<(Uri Url, ListenOptions Options)> _ui = [];
    private readonly List<(Uri Url, ListenOptions Options)> _callbacks = [];

    private SampleListeners(IReadOnlyList<Uri> uiUrls, IReadOnlyList<Uri> callbackUrls)
    {
        UiUrls = uiUrls;
        CallbackUrls = callbackUrls;
    }

    public IReadOnlyList<Uri> UiUrls { get; }

    public IReadOnlyList<Uri> CallbackUrls { get; }

    /// <summary>Where <see cref="TakeUrls"/> puts the <c>--urls</c> argument.</summary>
    private const string UiUrlsKey = "Sample:UiUrls";

    /// <summary>
    /// Takes <c>--urls</c> out of the command line (into <c>Sample:UiUrls</c>): Kestrel listens where
    /// <see cref="Configure"/> says, and a <c>--urls</c> it saw too would only earn an "Overriding address(es)" warning.
    /// </summary>
    public static string[] TakeUrls(string[] args, out string? urls)
    {
        urls = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--urls" or "/urls" && i + 1 < args.Length)
            {
                urls = args[++i];
            }
            else if (args[i].StartsWith("--urls=", StringComparison.Ordinal))
            {
                urls = args[i]["--urls=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        return [.. rest];
    }

    /// <summary>Reads the two URL lists (each separated by <c>;</c>) and configures Kestrel to listen on both.</summary>
    public static SampleListeners Configure(WebApplicationBuilder builder)
    {
        var ui = Parse(builder.Configuration[UiUrlsKey] ?? builder.Configuration["urls"], DefaultUiUrl, "--urls");
        var callbacks = Parse(builder.Configuration["Sample:CallbackUrls"], DefaultCallbackUrl, "Sample:CallbackUrls");
        var listeners = new SampleListeners(ui, callbacks);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in ui)
            {
                listeners._ui.Add((url, Listen(kestrel, url, isCallback: false)));
            }

            foreach (var url in callbacks)
            {
                listeners._callbacks.Add((url, Listen(kestrel, url, isCallback: true)));
            }
        });
        return listeners;
    }

    /// <summary>
    /// Throws the <see cref="IOException"/> Kestrel would throw when a fixed port is taken (usually by another copy of
    /// the sample), before anything starts: the host would otherwise log "Hosting failed to start" with a stack trace
    /// ahead of the one-line hint (<see cref="SampleStartErrors.AddressInUse"/>).
    /// </summary>
    public void ThrowIfInUse()
    {
        foreach (var url in UiUrls.Concat(CallbackUrls).Where(u => u.Port > 0))
        {
            var address = url.Host is "0.0.0.0" or "[::]" ? IPAddress.Any
                : string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
                : IPAddress.Parse(url.Host.Trim('[', ']'));
            var probe = new System.Net.Sockets.TcpListener(address, url.Port);
            try
            {
                probe.Start();
            }
            catch (System.Net.Sockets.SocketException error) when (error.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                throw new IOException($"Failed to bind to address {url.GetLeftPart(UriPartial.Authority)}: address already in use.",
                    new Microsoft.AspNetCore.Connections.AddressInUseException(error.Message, error));
            }
            finally
            {
                probe.Stop();
            }
        }
    }

    /// <summary>The UI's root URL once started (a wildcard host shown as 127.0.0.1, port 0 as the bound port).</summary>
    public Uri UiRoot => Root(_ui, UiUrls);

    /// <summary>The callback listener's root URL once started.</summary>
    public Uri CallbackRoot => Root(_callbacks, CallbackUrls);

    /// <summary>
    /// The first middleware: on the callback listener only <c>/abdm/...</c> and <c>/health</c> exist; on the UI
    /// listener they do not.
    /// </summary>
    public static Task Gate(HttpContext context, Func<Task> next)
    {
        var onCallbackListener = IsCallbackListener(context);
        var callbackPath = context.Request.Path.StartsWithSegments(SampleApp.CallbackPath, StringComparison.OrdinalIgnoreCase)
            || context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
        if (onCallbackListener != callbackPath)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next();
    }

    /// <summary>Whether the request came in on the callback listener.</summary>
    public static bool IsCallbackListener(HttpContext context) => context.Features.Get<CallbackListenerFeature>() is not null;

    private static ListenOptions Listen(KestrelServerOptions kestrel, Uri url, bool isCallback)
    {
        ListenOptions? bound = null;
        Action<ListenOptions> configure = options =>
        {
            bound = options;
            if (isCallback)
            {
                options.Use(next => connection =>
                {
                    connection.Features.Set(CallbackListenerFeature.Instance);
                    return next(connection);
                });
            }

            if (url.Scheme == Uri.UriSchemeHttps)
            {
                options.UseHttps();
            }
        };

        if (url.Host is "+" or "*" or "0.0.0.0" or "[::]")
        {
            kestrel.ListenAnyIP(url.Port, configure);
        }
        else if (string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(url.Port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(url.Host.Trim('[', ']')), url.Port, configure);
        }

        return bound!;
    }

    private static List<Uri> Parse(string? configured, string fallback, string key)
    {
        var values = string.IsNullOrWhiteSpace(configured) ? fallback : configured;
        var urls = new List<Uri>();
        foreach (var value in values.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // "+" and "*" are not host names Uri accepts.
            var text = value.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.AbsolutePath != "/"
                || (url.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) && !string.Equals(url.Host, "localhost", StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException(
                    $"{key}: '{value}' is not a URL to listen on. Use http(s)://<IP address, localhost or +>:<port>, for example {fallback}.");
            }

            urls.Add(url);
        }

        return urls;
    }

    private static Uri Root(List<(Uri Url, ListenOptions Options)> bound, IReadOnlyList<Uri> urls)
    {
        var (url, options) = bound.Count > 0 ? bound[0] : (urls[0], null!);
        var builder = new UriBuilder(url) { Path = "/" };
        if (builder.Host is "0.0.0.0" or "[::]" or "::")
        {
            builder.Host = "127.0.0.1";
        }

        if (options?.IPEndPoint is { Port: > 0 } endpoint)
        {
            builder.Port = endpoint.Port;
        }

        return builder.Uri;
    }

    /// <summary>Marks a connection accepted by the callback listener.</summary>
    internal sealed class CallbackListenerFeature
    {
        public static readonly CallbackListenerFeature Instance = new();
    }
}
