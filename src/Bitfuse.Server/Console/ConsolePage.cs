using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server;

/// <summary>The web console: one HTML page with its CSS and JavaScript inline, embedded in the assembly.</summary>
internal static class ConsolePage
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(ConsolePage).Assembly.GetManifestResourceStream("Bitfuse.Server.console.html")
            ?? throw new InvalidOperationException("the console page is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static IResult Handle(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        return Results.Bytes(Page.Value, "text/html; charset=utf-8");
    }
}
