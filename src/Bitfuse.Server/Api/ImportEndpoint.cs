using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server;

/// <summary>The answer of <c>POST /import</c>.</summary>
/// <param name="Rows">CSV rows read (for a Roaring body: the bitmap's cardinality).</param>
/// <param name="Names">Bitmaps the import added to.</param>
/// <param name="Bytes">Body bytes read.</param>
/// <param name="Lsn">The last acknowledged commit when the import's commit returned.</param>
public sealed record ImportResponse(long Rows, int Names, long Bytes, long Lsn);

/// <summary>
/// <c>POST /import</c>: a CSV body (<c>text/csv</c>, lines <c>name,value</c>) read as a stream, or one Roaring bitmap
/// (<c>application/octet-stream</c>, <c>?name=</c>) whose values are added to that name. Either way the values are
/// added in one transaction, after the whole body was read and checked: the import is applied all at once or not
/// at all, and no writer is held while the body arrives.
/// </summary>
internal static class ImportEndpoint
{
    public static async Task<IResult> Handle(HttpContext http, ServedDatabase served, string? name)
    {
        var type = RequestBody.ContentTypeOf(http, "text/csv", BitmapEndpoints.RoaringType);
        if (type == BitmapEndpoints.RoaringType)
        {
            if (string.IsNullOrEmpty(name))
            {
                throw RequestRejectedException.Invalid("a Roaring import needs ?name= for the bitmap its values go to");
            }
            using var body = await RequestBody.ReadAllAsync(http, served.Limits.MaxBitmapBodyBytes, "import", served.Metrics).ConfigureAwait(false);
            using var bitmap = Bitmap.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length));
            var written = await Commits.RunAsync(served, 1, tx => ImportBatch.AddInChunks(tx, name, bitmap), http.RequestAborted).ConfigureAwait(false);
            return Results.Json(new ImportResponse(bitmap.Count, 1, body.Length, written.Lsn));
        }
        if (name is not null)
        {
            throw RequestRejectedException.Invalid("?name= is for a Roaring body; CSV lines name their bitmaps");
        }
        RequestBody.Limit(http, served.Limits.MaxImportBodyBytes);
        using var batch = new ImportBatch(served.Limits.MaxImportNames);
        long bytes = 0;
        try
        {
            bytes = await CsvImport.ReadAsync(http.Request.BodyReader, batch, served.Limits.MaxImportLineBytes, http.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            served.Metrics.Received("import", bytes);
        }
        if (batch.Rows == 0)
        {
            throw RequestRejectedException.Invalid("the CSV body holds no rows");
        }
        var answer = await Commits.RunAsync(served, batch.Names, batch.AddTo, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new ImportResponse(batch.Rows, batch.Names, bytes, answer.Lsn));
    }
}
