using Bitfuse.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Metrics;

namespace Bitfuse.Server;

/// <summary>Every endpoint of the server, with the access it needs and what it documents in OpenAPI.</summary>
internal static class ServerRoutes
{
    public static void Map(WebApplication app)
    {
        var read = new AccessMetadata(Access.Read);
        var write = new AccessMetadata(Access.Write);
        var open = new AccessMetadata(Access.Open);

        app.MapGet("/", ConsolePage.Handle).WithMetadata(open).ExcludeFromDescription();

        app.MapPost("/query", QueryEndpoint.Handle).WithMetadata(read)
            .WithSummary("Run a query: count, first values, or explain")
            .Accepts<QueryRequest>("application/json")
            .Produces<QueryResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(413).ProducesProblem(503);

        app.MapPost("/commit", CommitEndpoint.Handle).WithMetadata(write)
            .WithSummary("Apply add, remove, set and delete operations at once; answered once durable")
            .Accepts<CommitRequest>("application/json")
            .Produces<CommitResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(413).ProducesProblem(503);

        app.MapGet("/bitmaps", BitmapEndpoints.List).WithMetadata(read)
            .WithSummary("List bitmaps with their cardinalities and container kinds")
            .Produces<BitmapList>().ProducesProblem(400).ProducesProblem(401);
        app.MapGet("/bitmaps/{name}", BitmapEndpoints.Get).WithMetadata(read)
            .WithSummary("One bitmap in the Roaring portable format")
            .Produces(200, contentType: BitmapEndpoints.RoaringType).ProducesProblem(401).ProducesProblem(404);
        app.MapPut("/bitmaps/{name}", BitmapEndpoints.Put).WithMetadata(write)
            .WithSummary("Replace a bitmap by a Roaring portable body; answered once durable")
            .Accepts<byte[]>(BitmapEndpoints.RoaringType)
            .Produces<BitmapWritten>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(413).ProducesProblem(415);
        app.MapDelete("/bitmaps/{name}", BitmapEndpoints.Delete).WithMetadata(write)
            .WithSummary("Delete a bitmap; answered once durable")
            .Produces<BitmapWritten>().ProducesProblem(401).ProducesProblem(404);

        app.MapPost("/import", ImportEndpoint.Handle).WithMetadata(write)
            .WithSummary("Add CSV rows name,value (text/csv, streamed) or one Roaring bitmap (?name=) in one commit")
            .Accepts<string>("text/csv", BitmapEndpoints.RoaringType)
            .Produces<ImportResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(413).ProducesProblem(415);

        app.MapGet("/stats", StatusEndpoints.Stats).WithMetadata(read)
            .WithSummary("Database and server statistics").Produces<StatsResponse>().ProducesProblem(401);
        app.MapGet("/health", StatusEndpoints.Health).WithMetadata(open)
            .WithSummary("Liveness and readiness (503 while shutting down or after a database failure)")
            .Produces<HealthResponse>().Produces<HealthResponse>(503);

        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(read);
        app.MapOpenApi("/openapi/{documentName}.json").WithMetadata(read);
    }
}
