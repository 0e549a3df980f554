using System.Text.Json;
using System.Text.Json.Serialization;
using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Bitfuse.Server;

/// <summary>
/// Where request bodies enter: the size limit is set before the first byte is read (Kestrel cuts the body off
/// with 413 past it, chunked or not), JSON is read with unknown members refused,
/// and the bytes read are counted for the metrics.
/// </summary>
internal static class RequestBody
{
    /// <summary>How request JSON is read: web names, unknown members refused, at most 64 levels deep.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>Sets the body limit for this request; a declared length over it is refused before reading.</summary>
    public static void Limit(HttpContext http, long bytes)
    {
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = bytes;
        }
        if (http.Request.ContentLength > bytes)
        {
            throw TooLarge(bytes);
        }
    }

    /// <summary>The 413 refusal for a body over <paramref name="bytes"/>.</summary>
    public static RequestRejectedException TooLarge(long bytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemTypes.TooLarge, "The body is too large", $"the body is over this endpoint's limit of {bytes} bytes");

    /// <summary>
    /// Which of <paramref name="accepted"/> the body is (a missing content type is taken as the first). Routing has
    /// already answered 415 for any other type, from the endpoint's <c>Accepts</c> metadata.
    /// </summary>
    public static string ContentTypeOf(HttpContext http, params string[] accepted)
    {
        if (MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var parsed))
        {
            foreach (var type in accepted)
            {
                if (parsed.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
                {
                    return type;
                }
            }
        }
        return accepted[0];
    }

    /// <summary>Reads a JSON body of at most <paramref name="limit"/> bytes.</summary>
    /// <exception cref="JsonException">The body is not valid JSON for <typeparamref name="T"/> (a 400 with the position).</exception>
    public static async Task<T> ReadJsonAsync<T>(HttpContext http, long limit, string endpoint, ServerMetrics metrics)
    {
        Limit(http, limit);
        var body = new CountingStream(http.Request.Body);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(body, Json, http.RequestAborted).ConfigureAwait(false)
                ?? throw RequestRejectedException.Invalid("the body is JSON null; an object was expected");
        }
        finally
        {
            metrics.Received(endpoint, body.BytesRead);
        }
    }

    /// <summary>Reads a whole body of at most <paramref name="limit"/> bytes (one Roaring bitmap) into memory.</summary>
    public static async Task<MemoryStream> ReadAllAsync(HttpContext http, long limit, string endpoint, ServerMetrics metrics)
    {
        Limit(http, limit);
        var copy = new MemoryStream(http.Request.ContentLength is { } n and > 0 ? (int)Math.Min(n, 1 << 20) : 4096);
        try
        {
            await http.Request.Body.CopyToAsync(copy, http.RequestAborted).ConfigureAwait(false);
        }
        catch
        {
            await copy.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            metrics.Received(endpoint, copy.Length);
        }
        return copy;
    }
}
