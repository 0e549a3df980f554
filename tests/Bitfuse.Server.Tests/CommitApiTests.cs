using System.Net.Http.Json;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary><c>POST /commit</c>: random batches against a model of named sets, atomicity, validation, durability.</summary>
public class CommitApiTests
{
    [Fact]
    public async Task Random_batches_leave_every_bitmap_equal_to_the_model()
    {
        await using var server = await RunningServer.StartAsync();
        var random = new Random(5);
        var model = new Dictionary<string, SortedSet<uint>>();
        string[] names = ["a", "b", "c", "d"];
        for (var batch = 0; batch < 30; batch++)
        {
            var operations = new List<object>();
            for (var i = 0; i < random.Next(1, 5); i++)
            {
                var name = names[random.Next(names.Length)];
                var values = Enumerable.Range(0, random.Next(0, 200)).Select(_ => (uint)random.Next(0, 200_000)).ToArray();
                switch (random.Next(4))
                {
                    case 0:
                        operations.Add(Op("add", name, values));
                        (model.TryGetValue(name, out var set) ? set : model[name] = []).UnionWith(values);
                        break;
                    case 1:
                        operations.Add(Op("remove", name, values));
                        if (model.TryGetValue(name, out var removed))
                        {
                            removed.ExceptWith(values);
                        }
                        break;
                    case 2:
                        operations.Add(Op("set", name, values));
                        model[name] = [.. values];
                        break;
                    default:
                        operations.Add(Delete(name));
                        model.Remove(name);
                        break;
                }
            }
            var answer = await (await server.CommitAsync([.. operations])).Json();
            Assert.Equal(operations.Count, answer.GetProperty("operations").GetInt32());
            Assert.Equal(batch + 1, answer.GetProperty("lsn").GetInt64());
        }

        var list = await (await server.Client.GetAsync("/bitmaps")).Json();
        Assert.Equal(model.Keys.Order(StringComparer.Ordinal), list.GetProperty("bitmaps").EnumerateArray().Select(b => b.GetProperty("name").GetString()));
        foreach (var (name, set) in model)
        {
            var values = await (await server.QueryAsync(new { query = name, mode = "values", limit = 100_000 })).Json();
            Assert.Equal(set, values.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()));
        }
    }

    [Fact]
    public async Task A_batch_with_a_bad_name_applies_nothing()
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.CommitAsync(Op("add", "good", 1, 2), Op("add", "bad\u0001name", 3))).Problem(400, ProblemTypes.InvalidRequest);

        Assert.Contains("control character", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var list = await (await server.Client.GetAsync("/bitmaps")).Json();
        Assert.Equal(0, list.GetProperty("total").GetInt32());
        Assert.Equal(0, server.Server.Served.Database.Statistics.Commits);
    }

    [Theory]
    [InlineData("""{"operations":[]}""", "no operations")]
    [InlineData("""{"operations":[{"op":"merge","name":"a","values":[1]}]}""", "op 'merge'")]
    [InlineData("""{"operations":[{"op":"add","name":"a"}]}""", "add needs values")]
    [InlineData("""{"operations":[{"op":"delete","name":"a","values":[1]}]}""", "delete takes no values")]
    [InlineData("""{"operations":[{"op":"add","name":"","values":[1]}]}""", "cannot be empty")]
    public async Task Invalid_operations_are_refused(string body, string named)
    {
        await using var server = await RunningServer.StartAsync();

        var problem = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/commit", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))))
            .Problem(400, ProblemTypes.InvalidRequest);

        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_outside_uint_is_refused_with_its_position()
    {
        await using var server = await RunningServer.StartAsync();
        const string Body = """{"operations":[{"op":"add","name":"a","values":[1,4294967296]}]}""";

        var problem = await (await server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/commit", new StringContent(Body, System.Text.Encoding.UTF8, "application/json"))))
            .Problem(400, ProblemTypes.InvalidJson);

        Assert.Equal(1, problem.GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task More_operations_than_the_limit_are_refused()
    {
        await using var server = await RunningServer.StartAsync(ServerLimits.Default with { MaxCommitOperations = 3 });

        var problem = await (await server.CommitAsync(Op("add", "a", 1), Op("add", "b", 1), Op("add", "c", 1), Op("add", "d", 1))).Problem(400, ProblemTypes.InvalidRequest);

        Assert.Contains("at most 3", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Acknowledged_commits_are_in_the_database_after_it_is_reopened()
    {
        var server = await RunningServer.StartAsync();
        var path = server.DatabasePath;
        var folder = server.Folder;
        var tasks = Enumerable.Range(0, 40).Select(i => server.CommitAsync(Op("add", $"n{i % 4}", (uint)i))).ToArray();
        foreach (var response in await Task.WhenAll(tasks))
        {
            response.EnsureSuccessStatusCode();
        }
        server.Client.Dispose();
        await server.Server.StopAsync();

        using (var database = Database.Open(path))
        using (var snapshot = database.Snapshot())
        {
            for (var n = 0; n < 4; n++)
            {
                Assert.Equal(Enumerable.Range(0, 40).Where(i => i % 4 == n).Select(i => (uint)i), snapshot[$"n{n}"].ToArray());
            }
            // Shutdown checkpointed: nothing was left in the log to replay.
            Assert.Equal(0, database.Statistics.RecoveredRecords);
        }
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Concurrent_commits_are_all_acknowledged_and_visible()
    {
        await using var server = await RunningServer.StartAsync();

        var tasks = Enumerable.Range(0, 64).Select(i => server.Client.SendAsync(server.Authorized(HttpMethod.Post, "/commit",
            JsonContent.Create(new { operations = new[] { Op("add", "x", (uint)i) } })))).ToArray();
        foreach (var response in await Task.WhenAll(tasks))
        {
            response.EnsureSuccessStatusCode();
        }

        Assert.Equal(64, server.Server.Served.Database.Statistics.Commits);
        var count = await (await server.QueryAsync(new { query = "x" })).Json();
        Assert.Equal(64, count.GetProperty("count").GetInt64());
    }
}
