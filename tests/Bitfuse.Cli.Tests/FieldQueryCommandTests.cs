namespace Bitfuse.Cli.Tests;

/// <summary>
/// <c>bitfuse query</c> over a CSV with typed columns, and <c>bitfuse db query</c> over the same table imported into a
/// database: ranges, row groups, aggregates, paging, errors.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class FieldQueryCommandTests : IDisposable
{
    private readonly string _csv = Path.Combine(Path.GetTempPath(), "bitfuse-fields-" + Guid.NewGuid().ToString("N") + ".csv");

    public FieldQueryCommandTests() => File.WriteAllText(_csv, """
        name,city,os,age,churned
        ann,paris,ios,34,false
        bob,paris|rome,android,41,true
        cid,rome,ios,,false
        dan,"paris",linux,30,false
        eve,oslo,android,-3,true
        """);

    private readonly string _db = Path.Combine(Path.GetTempPath(), "bitfuse-fields-db-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        File.Delete(_csv);
        if (Directory.Exists(_db))
        {
            Directory.Delete(_db, recursive: true);
        }
    }

    private static readonly string[] Types = ["--int", "age", "--set", "city", "--mutex", "os", "--bool", "churned"];

    private (int Exit, string Output, string Error) Query(params string[] args) =>
        CliRun.Capture(["query", .. args, "--csv", _csv, .. Types]);

    [Theory]
    [InlineData("city:paris & age >= 30 & age < 40 & !churned", 2)]
    [InlineData("10 <= age < 40", 2)]
    [InlineData("age = -3 | age = 41", 2)]
    [InlineData("age != null", 4)]
    [InlineData("os:(ios | android) & !churned", 2)]
    public void Ranges_and_row_groups_count(string text, long count)
    {
        var (exit, output, error) = Query(text, "--count");
        Assert.True(exit == 0, error);
        Assert.StartsWith($"{count} values; ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregates_print_values_and_groups()
    {
        var (exit, output, error) = Query("sum(age, city:paris)");
        Assert.True(exit == 0, error);
        Assert.StartsWith("Sum: 105 in ", output, StringComparison.Ordinal);
        (exit, output, error) = Query("topn(city, 2)");
        Assert.True(exit == 0, error);
        Assert.Equal(["paris\t3", "rome\t2", "TopN: 2 groups"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(" in ")[0]));
        (exit, output, error) = Query("groupby(os, city, $1)", "--groups", "2", "--after", "android,paris");
        Assert.True(exit == 0, error);
        Assert.Equal(["android,rome\t1", "ios,paris\t1"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(2));
    }

    [Fact]
    public void A_wrong_field_is_named_with_a_caret()
    {
        var (exit, _, error) = Query("city:paris & agee > 3", "--count");
        Assert.NotEqual(0, exit);
        Assert.Contains("unknown int field 'agee' at column 13; did you mean 'age'?", error);
        Assert.Contains("               ^", error);
    }

    [Fact]
    public void A_table_imported_into_a_database_answers_topn_and_ranges_through_db_query()
    {
        var (exit, output, error) = CliRun.Capture(["db", "import", "--db", _db, "--csv", _csv, .. Types]);
        Assert.True(exit == 0, error);
        Assert.StartsWith("imported ", output, StringComparison.Ordinal);

        // The table above: paris holds ann, bob, dan; rome bob, cid; oslo eve. Ages 34, 41, none, 30, -3.
        (exit, output, error) = CliRun.Capture("db", "query", "--db", _db, "topn(city, 2)");
        Assert.True(exit == 0, error);
        Assert.Equal(["paris\t3", "rome\t2", "TopN: 2 groups"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(" in ")[0]));
        (exit, output, error) = CliRun.Capture("db", "query", "--db", _db, "topn(os, 1, 10 <= age < 40)");
        Assert.True(exit == 0, error);
        Assert.Equal(["ios\t1", "TopN: 1 groups"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(" in ")[0]));
        (exit, output, error) = CliRun.Capture("db", "query", "--db", _db, "10 <= age < 40", "--values");
        Assert.True(exit == 0, error);
        Assert.Equal(["0", "3"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).SkipLast(1));
        (exit, output, error) = CliRun.Capture("db", "query", "--db", _db, "city:paris & age >= 0 & !churned", "--count");
        Assert.True(exit == 0, error);
        Assert.StartsWith("2 values; cold ", output, StringComparison.Ordinal);
        (exit, output, error) = CliRun.Capture("db", "query", "--db", _db, "max(age, os:(ios | android))");
        Assert.True(exit == 0, error);
        Assert.StartsWith("Max: 41 in ", output, StringComparison.Ordinal);

        // A second import of the same table would merge into stored fields: refused, nothing committed.
        (exit, _, error) = CliRun.Capture(["db", "import", "--db", _db, "--csv", _csv, .. Types]);
        Assert.NotEqual(0, exit);
        Assert.Contains("already holds field", error, StringComparison.Ordinal);
        (exit, output, error) = CliRun.Capture("db", "query", "--db", _db, "age != null", "--count");
        Assert.True(exit == 0, error);
        Assert.StartsWith("4 values; cold ", output, StringComparison.Ordinal);
    }
}
