using System.Text.Json;

namespace Bitfuse.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class QueryCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bitfuse-query-" + Guid.NewGuid().ToString("N"));

    public QueryCommandTests()
    {
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, "c0.txt"), "1,2,3,4,100000");
        File.WriteAllText(Path.Combine(_folder, "c1.txt"), "2,4,6,100000,200000");
        File.WriteAllText(Path.Combine(_folder, "c2.txt"), "4");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Count_over_a_data_set()
    {
        var (exit, output, error) = CliRun.Capture("query", "(c0 & c1) - c2", "--dataset", _folder, "--count");
        Assert.True(exit == 0, error);
        Assert.StartsWith("2 values; cold ", output, StringComparison.Ordinal);
        Assert.Contains("ms, warm ", output, StringComparison.Ordinal);
        Assert.Contains("ms (median of 5)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_as_json_with_a_limit()
    {
        var (exit, output, error) = CliRun.Capture("query", "c0 | c1", "--dataset", _folder, "--values", "--limit", "3", "--json");
        Assert.True(exit == 0, error);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(7, doc.RootElement.GetProperty("count").GetInt64());
        Assert.Equal([1u, 2u, 3u], doc.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetUInt32()).ToArray());
    }

    [Fact]
    public void Bitmap_files_in_text_and_roaring_format()
    {
        var roaring = Path.Combine(_folder, "b.roaring");
        using (var b = Bitmap.FromValues([4u, 5u, 6u]))
        {
            b.SerializeToFile(roaring);
        }
        var (exit, output, error) = CliRun.Capture("query", "a ^ b", "--bitmap", $"a={Path.Combine(_folder, "c0.txt")}", "--bitmap", $"b={roaring}", "--values");
        Assert.True(exit == 0, error);
        Assert.Equal(["1", "2", "3", "5", "6", "100000"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(6));
    }

    [Fact]
    public void Explain_shows_trees_kernel_and_universe()
    {
        var (exit, output, error) = CliRun.Capture("query", "!c2 & (c0 | c1)", "--dataset", _folder, "--explain", "--count", "--universe", "10");
        Assert.True(exit == 0, error);
        Assert.Contains("optimized  ", output, StringComparison.Ordinal);
        Assert.Contains("universe   [0, 10) (given)", output, StringComparison.Ordinal);
        Assert.Contains("4 values; cold", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c0 & (c1", "unclosed '('")]
    [InlineData("c0 & cx1", "unknown bitmap 'cx1'; did you mean")]
    [InlineData("c0 && c1", "'&&' is not an operator; write a single '&' for and")]
    [InlineData("c0 || c1", "'||' is not an operator; write a single '|' for or")]
    [InlineData("c0 AND c1", "'AND' is a name here; write '&' for and")]
    [InlineData("c0 OR c1", "'OR' is a name here; write '|' for or")]
    [InlineData("NOT c1", "'NOT' is a name here; write '!' for not")]
    public void User_mistakes_are_one_line_errors_with_the_usage_exit_code(string query, string message)
    {
        var (exit, _, error) = CliRun.Capture("query", query, "--dataset", _folder);
        Assert.Equal(2, exit);
        Assert.Contains(message, OneLine(error), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("query", "--generat", "100", "a & b")]
    [InlineData("query", "--bogus")]
    [InlineData("db", "query", "--dbb", "x", "a")]
    public void A_misspelled_option_is_named_as_unknown_not_read_as_query_text(params string[] args)
    {
        var (exit, _, error) = CliRun.Capture(args);
        Assert.Equal(CommandLineRunner.ExitUsage, exit);
        var misspelled = args.First(a => a.StartsWith("--", StringComparison.Ordinal));
        Assert.Contains($"unknown option '{misspelled}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_inputs_and_empty_folders_are_errors()
    {
        Assert.NotEqual(0, CliRun.Capture("query", "a").Exit);
        var empty = Path.Combine(_folder, "empty");
        Directory.CreateDirectory(empty);
        var (exit, _, error) = CliRun.Capture("query", "a", "--dataset", empty);
        Assert.NotEqual(0, exit);
        Assert.Contains("holds no .txt bitmaps", OneLine(error), StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder, "bad.txt"), "1,2,x");
        (exit, _, error) = CliRun.Capture("query", "bad", "--bitmap", $"bad={Path.Combine(_folder, "bad.txt")}");
        Assert.NotEqual(0, exit);
        Assert.Contains("unexpected character 0x78", OneLine(error), StringComparison.Ordinal);
        Assert.Contains("byte offset 4", OneLine(error), StringComparison.Ordinal);
    }

    [Fact]
    public void Cold_and_warm_times_are_both_in_the_json_and_warm_is_left_out_with_no_warm_runs()
    {
        var (exit, output, error) = CliRun.Capture("query", "c0 | c1", "--dataset", _folder, "--count", "--runs", "3", "--json");
        Assert.True(exit == 0, error);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.True(doc.RootElement.GetProperty("cold_ms").GetDouble() > 0);
            Assert.True(doc.RootElement.GetProperty("warm_ms").GetDouble() > 0);
            Assert.Equal(3, doc.RootElement.GetProperty("warm_runs").GetInt32());
            Assert.Equal(7, doc.RootElement.GetProperty("count").GetInt64());
        }
        (exit, output, error) = CliRun.Capture("query", "c0 | c1", "--dataset", _folder, "--runs", "0");
        Assert.True(exit == 0, error);
        Assert.Matches(@"^7 values; cold [0-9.]+ ms: 1, 2, 3, 4, 6, 100000, 200000\n$", output);
    }

    [Fact]
    public void The_command_names_a_data_set_s_bitmaps_as_the_library_does()
    {
        var folder = Path.Combine(_folder, "census");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "census-income.csv7.txt"), "1,2,3");
        File.WriteAllText(Path.Combine(folder, "census-income.csv12.txt"), "2,3,4");
        using var library = BitmapSet.LoadFolder(folder);
        Assert.Equal(["census-income.csv7", "census-income.csv12"], library.Names);

        var (exit, output, error) = CliRun.Capture("query", string.Join(" & ", library.Names), "--dataset", folder, "--count");
        Assert.True(exit == 0, error);
        Assert.StartsWith($"{library.Resolve("census-income.csv7").AndCount(library.Resolve("census-income.csv12"))} values;", output, StringComparison.Ordinal);
        (exit, _, error) = CliRun.Capture("query", "c7", "--dataset", folder);
        Assert.Equal(2, exit);
        Assert.Contains("unknown bitmap 'c7'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_unknown_name_is_shortened_in_the_error()
    {
        var name = "segment_" + new string('q', 3000);
        var (exit, _, error) = CliRun.Capture("query", name, "--dataset", _folder);
        Assert.Equal(2, exit);
        Assert.Contains("(3008 characters)", error, StringComparison.Ordinal);
        Assert.True(error.Length < 300, error);
    }

    [Fact]
    public void A_64_bit_roaring_file_where_a_32_bit_one_is_expected_says_so()
    {
        var path = Path.Combine(_folder, "wide.roaring");
        using (var wide = Bitmap64.FromValues([3UL, 1UL << 40]))
        {
            wide.SerializeToFile(path);
        }
        var (exit, _, error) = CliRun.Capture("query", "w", "--bitmap", $"w={path}");
        Assert.Equal(1, exit);
        Assert.Contains("64-bit Roaring file", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_are_json_under_json_with_the_same_exit_codes()
    {
        var (exit, output, error) = CliRun.Capture("query", "c0 && c1", "--dataset", _folder, "--json");
        Assert.Equal(2, exit);
        Assert.Equal("", error);
        using (var doc = JsonDocument.Parse(output))
        {
            var e = doc.RootElement.GetProperty("error");
            Assert.Equal("usage", e.GetProperty("kind").GetString());
            Assert.Equal(2, e.GetProperty("exit_code").GetInt32());
            Assert.Contains("'&&' is not an operator", e.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        File.WriteAllText(Path.Combine(_folder, "bad.txt"), "1,2,x");
        (exit, output, _) = CliRun.Capture("query", "bad", "--bitmap", $"bad={Path.Combine(_folder, "bad.txt")}", "--json");
        Assert.Equal(1, exit);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal("failure", doc.RootElement.GetProperty("error").GetProperty("kind").GetString());
        }
        (exit, output, _) = CliRun.Capture("query", "c0", "--dataset", _folder, "--no-such-option", "--json");
        Assert.Equal(2, exit);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Contains("--no-such-option", doc.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Output_writes_the_json_report_to_a_file_beside_the_text()
    {
        var file = Path.Combine(_folder, "answer.json");
        var (exit, output, error) = CliRun.Capture("query", "c0 & c1", "--dataset", _folder, "--output", file);
        Assert.True(exit == 0, error);
        Assert.Contains("3 values; cold", output, StringComparison.Ordinal);
        Assert.Contains($"wrote {file}", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal(3, doc.RootElement.GetProperty("count").GetInt64());
        Assert.Equal([2u, 4u, 100_000u], doc.RootElement.GetProperty("preview").EnumerateArray().Select(v => v.GetUInt32()).ToArray());
    }

    // The console wraps long lines; compare with white space collapsed.
    private static string OneLine(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");

    [Fact]
    public void Demo_builds_a_database_checks_answers_while_a_writer_commits_and_reopens_it()
    {
        var db = Path.Combine(_folder, "demo.bfdb");
        var (exit, output, error) = CliRun.Capture("demo", "--generate", "--runs", "1", "--commits", "20", "--table-rows", "200000", "--db", db, "--json");
        Assert.True(exit == 0, error);
        using (var doc = JsonDocument.Parse(output))
        {
            var root = doc.RootElement;
            Assert.Equal(200, root.GetProperty("bitmaps").GetInt32());
            Assert.Equal("built", root.GetProperty("opened").GetString());
            var queries = root.GetProperty("queries").EnumerateArray().ToArray();
            Assert.Equal(6, queries.Length);
            Assert.All(queries, q => Assert.True(q.GetProperty("bitfuse_ms").GetDouble() > 0));
            // Every answer the demo reports equals a scalar word-by-word evaluation of its query over the generated data.
            using var data = DemoData.Generate();
            foreach (var q in queries)
            {
                var text = q.GetProperty("query").GetString()!;
                var tree = new QueryEngine().Compile(text).Parsed;
                Assert.True(WordModel.Count(tree, data) == q.GetProperty("count").GetInt64(), text);
            }
            var concurrent = root.GetProperty("concurrent");
            Assert.Equal(20, concurrent.GetProperty("commits").GetInt32());
            Assert.True(concurrent.GetProperty("answers_checked").GetInt64() >= 6);
            var fields = root.GetProperty("fields");
            Assert.Equal(200_000, fields.GetProperty("rows").GetInt32());
            var fieldQueries = fields.GetProperty("queries").EnumerateArray().ToArray();
            Assert.Equal(["range and filter", "topn", "sum", "group-by"], fieldQueries.Select(q => q.GetProperty("title").GetString()));
            Assert.All(fieldQueries, q => Assert.True(q.GetProperty("bitfuse_ms").GetDouble() > 0));
            Assert.EndsWith("10 rows", fieldQueries[1].GetProperty("answer").GetString(), StringComparison.Ordinal);
        }

        // The writer's adds and removes cancel out, so the second run finds the data set unchanged and reopens it.
        (exit, output, error) = CliRun.Capture("demo", "--generate", "--runs", "1", "--commits", "2", "--table-rows", "1000", "--db", db, "--json");
        Assert.True(exit == 0, error);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal("reopened", doc.RootElement.GetProperty("opened").GetString());
        }
    }

    /// <summary>
    /// The demo's independent model: each input copied into a plain bitset of the generated rows (2^22 bits), the
    /// query's tree evaluated a whole word array per node. The demo's queries complement only under an and, so
    /// a complement over all the rows gives the answer any universe covering the inputs gives.
    /// </summary>
    private static class WordModel
    {
        private const int Words = (1 << 22) / 64;

        public static long Count(Bitfuse.Query.Syntax.Expr tree, BitmapSet data)
        {
            long count = 0;
            foreach (var word in Evaluate(tree, data))
            {
                count += System.Numerics.BitOperations.PopCount(word);
            }
            return count;
        }

        private static ulong[] Evaluate(Bitfuse.Query.Syntax.Expr node, BitmapSet data)
        {
            switch (node.Kind)
            {
                case Bitfuse.Query.Syntax.ExprKind.Variable:
                    var words = new ulong[Words];
                    foreach (var value in data[node.Name!])
                    {
                        words[value >> 6] |= 1UL << (int)(value & 63);
                    }
                    return words;
                case Bitfuse.Query.Syntax.ExprKind.Not:
                    var inner = Evaluate(node.Operands[0], data);
                    for (var i = 0; i < Words; i++)
                    {
                        inner[i] = ~inner[i];
                    }
                    return inner;
                default:
                    var result = Evaluate(node.Operands[0], data);
                    for (var o = 1; o < node.Operands.Count; o++)
                    {
                        var next = Evaluate(node.Operands[o], data);
                        for (var i = 0; i < Words; i++)
                        {
                            result[i] = node.Kind switch
                            {
                                Bitfuse.Query.Syntax.ExprKind.And => result[i] & next[i],
                                Bitfuse.Query.Syntax.ExprKind.Or => result[i] | next[i],
                                Bitfuse.Query.Syntax.ExprKind.Xor => result[i] ^ next[i],
                                _ => throw new InvalidOperationException($"the demo's queries hold no {node.Kind}"),
                            };
                        }
                    }
                    return result;
            }
        }
    }
}
