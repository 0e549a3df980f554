using System.Net;
using System.Net.Http.Headers;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary><c>GET/PUT/DELETE /bitmaps/{name}</c> with Roaring bodies, and the list with container kinds.</summary>
public class BitmapApiTests
{
    [Fact]
    public async Task A_bitmap_put_as_roaring_comes_back_byte_for_byte_and_answers_queries()
    {
        await using var server = await RunningServer.StartAsync();
        using var bitmap = Bitmap.FromValues([1, 2, 3, 100_000, 200_000]);
        bitmap.AddRange(300_000, 380_000);
        bitmap.Optimize();
        var bytes = bitmap.Serialize();

        var written = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Put, "/bitmaps/segment:a", Roaring(bytes)))).Json();
        Assert.Equal(bitmap.Count, written.GetProperty("cardinality").GetInt64());

        var response = await server.Client.GetAsync("/bitmaps/segment:a");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        using var back = Bitmap.Deserialize(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(bitmap.ToArray(), back.ToArray());

        var list = await (await server.Client.GetAsync("/bitmaps")).Json();
        var entry = list.GetProperty("bitmaps")[0];
        Assert.Equal("segment:a", entry.GetProperty("name").GetString());
        Assert.Equal(bitmap.Count, entry.GetProperty("cardinality").GetInt64());
        var statistics = bitmap.GetStatistics();
        Assert.Equal(statistics.ArrayContainers, entry.GetProperty("arrayContainers").GetInt32());
        Assert.Equal(statistics.RunContainers, entry.GetProperty("runContainers").GetInt32());
        Assert.True(statistics.RunContainers > 0);

        var count = await (await server.QueryAsync(new { query = "segment:a" })).Json();
        Assert.Equal(bitmap.Count, count.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task Put_replaces_and_delete_removes()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "a", 1, 2, 3))).EnsureSuccessStatusCode();
        using var replacement = Bitmap.FromValues([7]);

        (await server.Client.SendAsync(server.Authorized(HttpMethod.Put, "/bitmaps/a", Roaring(replacement.Serialize())))).EnsureSuccessStatusCode();
        var values = await (await server.QueryAsync(new { query = "a", mode = "values" })).Json();
        Assert.Equal([7u], values.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()));

        (await server.Client.SendAsync(server.Authorized(HttpMethod.Delete, "/bitmaps/a"))).EnsureSuccessStatusCode();
        await (await server.Client.GetAsync("/bitmaps/a")).Problem(404, ProblemTypes.UnknownBitmap);
        await (await server.Client.SendAsync(server.Authorized(HttpMethod.Delete, "/bitmaps/a"))).Problem(404, ProblemTypes.UnknownBitmap);
    }

    [Fact]
    public async Task A_malformed_roaring_body_is_refused_with_its_offset_and_changes_nothing()
    {
        await using var server = await RunningServer.StartAsync();
        using var bitmap = Bitmap.FromValues([1, 2, 3]);
        var bytes = bitmap.Serialize();

        var problem = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Put, "/bitmaps/a", Roaring(bytes[..^2]))))
            .Problem(400, ProblemTypes.InvalidBitmap);

        Assert.Contains("byte offset", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await server.Client.GetAsync("/bitmaps/a")).Problem(404, ProblemTypes.UnknownBitmap);
    }

    [Fact]
    public async Task A_bitmap_body_over_the_limit_is_a_413()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxBitmapBodyBytes = 1024 });
        using var bitmap = Bitmap.FromValues(Enumerable.Range(0, 1000).Select(i => (uint)(i * 3)).ToArray());

        await (await server.Client.SendAsync(server.Authorized(HttpMethod.Put, "/bitmaps/a", Roaring(bitmap.Serialize()))))
            .Problem(413, ProblemTypes.TooLarge);
    }

    [Fact]
    public async Task The_list_takes_a_prefix_and_a_limit()
    {
        await using var server = await RunningServer.StartAsync();
        (await server.CommitAsync(Op("add", "a1", 1), Op("add", "a2", 1), Op("add", "a3", 1), Op("add", "b1", 1))).EnsureSuccessStatusCode();

        var list = await (await server.Client.GetAsync("/bitmaps?prefix=a&limit=2")).Json();

        Assert.Equal(["a1", "a2"], list.GetProperty("bitmaps").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        Assert.True(list.GetProperty("truncated").GetBoolean());
        Assert.Equal(4, list.GetProperty("total").GetInt32());
        await (await server.Client.GetAsync("/bitmaps?limit=0")).Problem(400, ProblemTypes.InvalidRequest);
    }

    private static ByteArrayContent Roaring(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
