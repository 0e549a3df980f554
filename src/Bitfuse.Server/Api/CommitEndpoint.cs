using System.Runtime.InteropServices;
using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bitfuse.Server;

/// <summary><c>POST /commit</c>: validates every operation first, then commits them in one transaction and answers once it is durable.</summary>
internal static class CommitEndpoint
{
    public static async Task<IResult> Handle(HttpContext http, ServedDatabase served)
    {
        var request = await RequestBody.ReadJsonAsync<CommitRequest>(http, served.Limits.MaxCommitBodyBytes, "commit", served.Metrics).ConfigureAwait(false);
        var operations = request.Operations;
        if (operations.Count == 0)
        {
            throw RequestRejectedException.Invalid("the commit holds no operations");
        }
        if (operations.Count > served.Limits.MaxCommitOperations)
        {
            throw RequestRejectedException.Invalid($"the commit holds {operations.Count} operations; at most {served.Limits.MaxCommitOperations} are allowed");
        }
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            if (op is null)
            {
                throw RequestRejectedException.Invalid($"operation {i} is null");
            }
            var needsValues = op.Op is "add" or "remove" or "set";
            if (!needsValues && op.Op != "delete")
            {
                throw RequestRejectedException.Invalid($"operation {i}: op '{op.Op}' is not one of add, remove, set, delete");
            }
            if (needsValues != op.Values is not null)
            {
                throw RequestRejectedException.Invalid(needsValues ? $"operation {i}: {op.Op} needs values" : $"operation {i}: delete takes no values");
            }
        }
        var answer = await Commits.RunAsync(served, operations.Count, tx =>
        {
            foreach (var op in operations)
            {
                switch (op.Op)
                {
                    case "add":
                        tx.Add(op.Name, Values(op));
                        break;
                    case "remove":
                        tx.Remove(op.Name, Values(op));
                        break;
                    case "set":
                        using (var bitmap = Bitmap.FromValues(Values(op)))
                        {
                            tx.Set(op.Name, bitmap);
                        }
                        break;
                    default:
                        tx.Delete(op.Name);
                        break;
                }
            }
        }, http.RequestAborted).ConfigureAwait(false);
        return Results.Json(answer);
    }

    private static ReadOnlySpan<uint> Values(CommitOperation op) =>
        op.Values is List<uint> list ? CollectionsMarshal.AsSpan(list) : op.Values!.ToArray();
}
