using Bitfuse.Fields;

namespace Bitfuse.Tests.Fields;

/// <summary>
/// Each field kind against a plain model (a dictionary per column) under random writes: every read the field
/// offers, and every bitmap it keeps under the naming convention, must agree with the model after each batch.
/// </summary>
public class FieldModelTests
{
    private const uint Columns = 200_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_set_field_matches_a_model(int seed)
    {
        var random = new Random(seed);
        using var fields = new FieldSet();
        var city = fields.Set("city");
        var model = new Dictionary<string, HashSet<uint>>();
        string[] rows = ["paris", "rome", "new york", "oslo"];
        for (var step = 0; step < 4000; step++)
        {
            var column = RandomColumn(random);
            var row = rows[random.Next(rows.Length)];
            if (random.Next(4) == 0)
            {
                Assert.Equal(model.GetValueOrDefault(row)?.Remove(column) ?? false, city.Remove(column, row));
            }
            else
            {
                city.Add(column, row);
                (model.TryGetValue(row, out var set) ? set : model[row] = []).Add(column);
            }
        }
        var batch = Enumerable.Range(0, 5000).Select(_ => RandomColumn(random)).Distinct().Order().ToArray();
        city.AddMany("oslo", batch);
        (model.TryGetValue("oslo", out var oslo) ? oslo : model["oslo"] = []).UnionWith(batch);
        foreach (var (row, columns) in model)
        {
            Assert.Equal(columns.Order(), city.Row(row)!.ToArray());
            Assert.Equal(columns.Order(), fields.Bitmaps[FieldNames.Row("city", row)].ToArray());
        }
        Assert.Equal(model.Keys.Order(), city.Rows.Order());
        Assert.Null(city.Row("lima"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_mutex_field_keeps_a_column_in_one_row(int seed)
    {
        var random = new Random(seed);
        using var fields = new FieldSet();
        var os = fields.Mutex("os");
        var model = new Dictionary<uint, string>();
        string[] rows = ["ios", "android", "linux"];
        for (var step = 0; step < 6000; step++)
        {
            var column = (uint)random.Next(3000);
            var row = rows[random.Next(rows.Length)];
            switch (random.Next(5))
            {
                case 0:
                    var had = model.TryGetValue(column, out var current) && current == row;
                    Assert.Equal(had, os.Remove(column, row));
                    if (had)
                    {
                        model.Remove(column);
                    }
                    break;
                case 1:
                    var many = Enumerable.Range(0, 20).Select(_ => (uint)random.Next(3000)).Distinct().Order().ToArray();
                    os.AddMany(row, many);
                    foreach (var c in many)
                    {
                        model[c] = row;
                    }
                    break;
                default:
                    os.Add(column, row);
                    model[column] = row;
                    break;
            }
        }
        foreach (var row in rows)
        {
            Assert.Equal(model.Where(p => p.Value == row).Select(p => p.Key).Order(), os.Row(row)!.ToArray());
        }
        for (uint column = 0; column < 3000; column++)
        {
            Assert.Equal(model.GetValueOrDefault(column), os.RowOf(column));
        }
        Assert.Throws<InvalidOperationException>(() => fields.Set("tags").RowOf(1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_bool_field_matches_a_model(int seed)
    {
        var random = new Random(seed);
        using var fields = new FieldSet();
        var churned = fields.Bool("churned");
        var model = new Dictionary<uint, bool>();
        for (var step = 0; step < 5000; step++)
        {
            var column = RandomColumn(random);
            if (random.Next(5) == 0)
            {
                churned.Clear(column);
                model.Remove(column);
            }
            else
            {
                var value = random.Next(2) == 0;
                churned.Set(column, value);
                model[column] = value;
            }
        }
        Assert.Equal(model.Where(p => p.Value).Select(p => p.Key).Order(), fields.Bitmaps["churned"].ToArray());
        Assert.Equal(model.Where(p => !p.Value).Select(p => p.Key).Order(), fields.Bitmaps["churned@false"].ToArray());
        foreach (var (column, value) in model)
        {
            Assert.Equal(value, churned.Get(column));
        }
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, null)]
    [InlineData(3, 0L)]
    [InlineData(4, long.MinValue)]
    public void An_int_field_matches_a_model_through_growth_and_rebasing(int seed, long? minimum)
    {
        var random = new Random(seed);
        using var fields = new FieldSet();
        var age = fields.Int("age", minimum);
        var model = new Dictionary<uint, long>();
        // Values start in a narrow band and widen both ways, so the field adds slices and re-bases.
        for (var step = 0; step < 3000; step++)
        {
            var column = RandomColumn(random);
            var spread = 1L << Math.Min(62, step / 50);
            var value = random.Next(8) == 0 ? (random.Next(2) == 0 ? long.MaxValue : long.MinValue + 1) : random.NextInt64(-spread, spread);
            if (minimum is { } min && value < min)
            {
                value = min;
            }
            if (random.Next(6) == 0)
            {
                age.Clear(column);
                model.Remove(column);
            }
            else
            {
                age.Set(column, value);
                model[column] = value;
            }
        }
        var batch = Enumerable.Range(0, 2000).Select(_ => RandomColumn(random)).Distinct().Order().ToArray();
        var values = batch.Select(_ => random.NextInt64(-1000, 1000)).ToArray();
        age.SetMany(batch, values);
        for (var i = 0; i < batch.Length; i++)
        {
            model[batch[i]] = values[i];
        }
        Assert.Equal(model.Keys.Order(), age.Exists.ToArray());
        foreach (var (column, value) in model)
        {
            Assert.True(age.TryGet(column, out var stored));
            Assert.Equal(value, stored);
        }
        Assert.False(age.TryGet(Columns + 1, out _));
        var schema = IntFieldSchema.FromBitmap("age", fields.Bitmaps[FieldNames.IntDescriptor("age")]);
        Assert.Equal(age.Schema, schema);
        Assert.True(model.Values.Min() >= schema.Minimum);
        Assert.True(model.Values.Max() <= schema.Maximum);
        for (var bit = 0; bit < schema.Depth; bit++)
        {
            var expected = model.Where(p => (((ulong)p.Value - (ulong)schema.Minimum) >> bit & 1) != 0).Select(p => p.Key).Order();
            Assert.Equal(expected, fields.Bitmaps[FieldNames.Slice("age", bit)].ToArray());
        }
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(-1L, 64)]
    [InlineData(long.MinValue, 63)]
    [InlineData(long.MaxValue, 1)]
    [InlineData(12345L, 17)]
    public void A_descriptor_reads_back_its_schema(long minimum, int depth)
    {
        var schema = new IntFieldSchema(minimum, depth);
        using var bitmap = schema.ToBitmap();
        Assert.Equal(schema, IntFieldSchema.FromBitmap("f", bitmap));
    }

    [Fact]
    public void A_bad_descriptor_or_field_name_is_refused()
    {
        using var noDepth = Bitmap.FromValues([1u, 2u]);
        Assert.Contains("no depth", Assert.Throws<InvalidDataException>(() => IntFieldSchema.FromBitmap("age", noDepth)).Message);
        using var twoDepths = Bitmap.FromValues([65u, 70u]);
        Assert.Contains("'age'", Assert.Throws<InvalidDataException>(() => IntFieldSchema.FromBitmap("age", twoDepths)).Message);
        using var fields = new FieldSet();
        Assert.Throws<ArgumentException>(() => fields.Int("age@x"));
        Assert.Throws<ArgumentException>(() => fields.Set("a:b"));
        fields.Int("age");
        Assert.Contains("Int field", Assert.Throws<ArgumentException>(() => fields.Set("age")).Message);
    }

    private static uint RandomColumn(Random random) => random.Next(3) switch
    {
        0 => (uint)random.Next(5000),
        1 => (uint)random.Next((int)Columns),
        _ => 65536u * 3 + (uint)random.Next(70000),
    };
}
