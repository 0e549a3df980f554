using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server;

/// <summary>
/// <c>GET /bitmaps</c> (names with cardinalities and container kinds), <c>GET /bitmaps/{name}</c> (the Roaring
/// portable bytes), <c>PUT /bitmaps/{name}</c> (replace it by a Roaring body, durable before the answer) and
/// <c>DELETE /bitmaps/{name}</c>.
/// </summary>
internal static class BitmapEndpoints
{
    public const string RoaringType = "application/octet-stream";

    public static IResult List(ServedDatabase served, string? prefix, int? limit)
    {
        var max = limit ?? 1000;
        if (max < 1 || max > served.Limits.MaxListedBitmaps)
        {
            throw RequestRejectedException.Invalid($"limit {max} is outside [1, {served.Limits.MaxListedBitmaps}]");
        }
        using var snapshot = served.Database.Snapshot();
        var listed = new List<BitmapSummary>();
        var truncated = false;
        foreach (var name in snapshot.Names)
        {
            if (prefix is not null && !name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }
            if (listed.Count == max)
            {
                truncated = true;
                break;
            }
            var s = snapshot[name].GetStatistics();
            listed.Add(new BitmapSummary(name, s.Count, s.ArrayContainers, s.BitsetContainers, s.RunContainers, s.SerializedBytes));
        }
        return Results.Json(new BitmapList(snapshot.Lsn, snapshot.Count, listed, truncated));
    }

    public static IResult Get(ServedDatabase served, string name)
    {
        using var snapshot = served.Database.Snapshot();
        return Results.Bytes(snapshot[name].Serialize(), RoaringType);
    }

    public static async Task<IResult> Put(HttpContext http, ServedDatabase served, string name)
    {
        using var body = await RequestBody.ReadAllAsync(http, served.Limits.MaxBitmapBodyBytes, "bitmaps", served.Metrics).ConfigureAwait(false);
        using var bitmap = Bitmap.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length));
        var answer = await Commits.RunAsync(served, 1, tx => tx.Set(name, bitmap), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new BitmapWritten(name, bitmap.Count, answer.Lsn));
    }

    public static async Task<IResult> Delete(HttpContext http, ServedDatabase served, string name)
    {
        using (var snapshot = served.Database.Snapshot())
        {
            if (!snapshot.Contains(name))
            {
                throw new UnknownBitmapException(name, UnknownBitmapException.Closest(name, snapshot.Names));
            }
        }
        var answer = await Commits.RunAsync(served, 1, tx => tx.Delete(name), http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new BitmapWritten(name, 0, answer.Lsn));
    }
}
