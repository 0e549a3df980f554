using Bitfuse.Fields;
using Bitfuse.Query.Execution;
using Bitfuse.Query.Syntax;

namespace Bitfuse;

/// <summary>
/// A compiled aggregate (<c>count(f)</c>, <c>sum(age, f)</c>, <c>min(age, f)</c>, <c>max(age, f)</c>,
/// <c>topn(city, 10, f)</c>, <c>groupby(os, country, f)</c>) over fields kept under the <see cref="FieldNames"/>
/// convention. The filter is an ordinary compiled query (comparisons fused into its kernel) and runs once;
/// row counts are exact. The rows of a set field are the names that start with <c>field:</c>, among those the set
/// holds and those its resolver lists (every name of a database snapshot).
/// Unless the options give one, the universe of the filter's <c>!</c> and <c>$1</c> is, for sum/min/max,
/// <c>[0, largest column with a value + 1)</c> and, for topn/groupby, <c>[0, largest column of any row + 1)</c>:
/// columns beyond it cannot count, and <c>groupby(os, country, $1)</c> groups every column.
/// Immutable and thread-safe.
/// </summary>
public sealed class AggregateQuery
{
    private volatile RowsAtVersion? _rows;

    internal AggregateQuery(string text, AggregateCall call, CompiledQuery? filter)
    {
        Text = text;
        Call = call;
        Filter = filter;
    }

    /// <summary>The query text.</summary>
    public string Text { get; }

    /// <summary>The parsed call.</summary>
    internal AggregateCall Call { get; }

    /// <summary>The compiled filter; null for a <c>topn</c> without one.</summary>
    public CompiledQuery? Filter { get; }

    /// <summary>Runs the aggregate over <paramref name="inputs"/>.</summary>
    /// <exception cref="UnknownBitmapException">The filter names a bitmap the set does not hold.</exception>
    /// <exception cref="UnknownFieldException">A field argument is not an int field (sum, min, max) or has no rows (topn, groupby).</exception>
    public AggregateResult Run(BitmapSet inputs, AggregateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= AggregateOptions.Default;
        if (options.Limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Limit, "the group limit must not be negative");
        }
        var function = Call.Function;
        if (function == AggregateFunction.Count)
        {
            return new AggregateResult(function, Filter!.Count(inputs, options.Run), []);
        }
        // Resolve the fields before the filter runs, so a wrong field fails fast.
        IntFieldSchema? schema = function is AggregateFunction.Sum or AggregateFunction.Min or AggregateFunction.Max
            ? CompiledQuery.SchemaOf(inputs, Call.Fields[0], Text)
            : null;
        var rows = schema is null ? RowsOf(inputs) : [];
        var run = options.Run;
        if (run.UniverseEnd is null)
        {
            long end = 0;
            foreach (var field in rows)
            {
                foreach (var row in field.Bitmaps)
                {
                    end = row.IsEmpty ? end : Math.Max(end, row.Max + 1L);
                }
            }
            if (schema is not null)
            {
                var exists = inputs.Resolve(FieldNames.Exists(Call.Fields[0].Name));
                end = exists.IsEmpty ? 0 : exists.Max + 1L;
            }
            run = run with { UniverseEnd = end };
        }
        using var filter = Filter?.Evaluate(inputs, run);
        switch (function)
        {
            case AggregateFunction.Sum:
                return new AggregateResult(function, SliceAggregates.Sum(inputs, Call.Fields[0].Name, schema!, filter!), []);
            case AggregateFunction.Min:
            case AggregateFunction.Max:
                var extreme = SliceAggregates.Extreme(inputs, Call.Fields[0].Name, schema!, filter!, function == AggregateFunction.Max);
                return new AggregateResult(function, extreme, []);
            case AggregateFunction.TopN:
                return new AggregateResult(function, null, TopN(filter, rows[0]));
            default:
                var groups = new List<GroupCount>();
                GroupBy(filter!, rows, 0, new string[rows.Length], options, groups);
                return new AggregateResult(function, null, groups);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private List<GroupCount> TopN(Bitmap? filter, FieldRows rows)
    {
        var top = TopRowCounting.Top(filter, rows.Bitmaps, Call.Limit);
        return top.ConvertAll(entry => new GroupCount([rows.Names[entry.Row]], entry.Count));
    }

    // Depth-first over the fields in row order, so groups come out in key order. Each level narrows the filter by
    // one row; the last level counts every row of the last field in one pass. A prefix before the page start is
    // skipped whole; the walk stops at the limit.
    private static void GroupBy(Bitmap filter, FieldRows[] fields, int level, string[] prefix, AggregateOptions options, List<GroupCount> groups)
    {
        var rows = fields[level];
        var after = options.After;
        var onPageStart = level == 0 || IsPageStartPrefix(prefix, level, after);
        if (level == fields.Length - 2 && TryGroupPairs(filter, rows, fields[level + 1], level, onPageStart, prefix, options, groups))
        {
            return;
        }
        if (level == fields.Length - 1)
        {
            var counts = new long[rows.Bitmaps.Length];
            RowCounting.Count(filter, rows.Bitmaps, counts);
            for (var r = 0; r < counts.Length; r++)
            {
                if (groups.Count == options.Limit)
                {
                    return;
                }
                if (counts[r] == 0 || (onPageStart && after is not null && string.CompareOrdinal(rows.Names[r], after[level]) <= 0))
                {
                    continue;
                }
                prefix[level] = rows.Names[r];
                groups.Add(new GroupCount([.. prefix], counts[r]));
            }
            return;
        }
        for (var r = 0; r < rows.Bitmaps.Length; r++)
        {
            if (groups.Count == options.Limit)
            {
                return;
            }
            if (onPageStart && after is not null && string.CompareOrdinal(rows.Names[r], after[level]) < 0)
            {
                continue;
            }
            using var narrowed = filter.And(rows.Bitmaps[r]);
            if (narrowed.IsEmpty)
            {
                continue;
            }
            prefix[level] = rows.Names[r];
            GroupBy(narrowed, fields, level + 1, prefix, options, groups);
        }
    }

    // The last two levels in one pass (GroupCounting) when no filter column is in two rows of the next-to-last field;
    // groups come out in the same order, page and limit as the level-by-level walk gives them. False: nothing added.
    private static bool TryGroupPairs(Bitmap filter, FieldRows lead, FieldRows last, int level, bool onPageStart, string[] prefix,
        AggregateOptions options, List<GroupCount> groups)
    {
        var width = last.Bitmaps.Length;
        var counts = new long[lead.Bitmaps.Length * width];
        if (!GroupCounting.TryCount(filter, lead.Bitmaps, last.Bitmaps, counts))
        {
            return false;
        }
        var after = options.After;
        for (var i = 0; i < lead.Bitmaps.Length; i++)
        {
            if (onPageStart && after is not null && string.CompareOrdinal(lead.Names[i], after[level]) < 0)
            {
                continue;
            }
            var lastOnPageStart = onPageStart && after is not null && string.Equals(lead.Names[i], after[level], StringComparison.Ordinal);
            prefix[level] = lead.Names[i];
            for (var j = 0; j < width; j++)
            {
                if (groups.Count == options.Limit)
                {
                    return true;
                }
                var count = counts[(i * width) + j];
                if (count == 0 || (lastOnPageStart && string.CompareOrdinal(last.Names[j], after![level + 1]) <= 0))
                {
                    continue;
                }
                prefix[level + 1] = last.Names[j];
                groups.Add(new GroupCount([.. prefix], count));
            }
        }
        return true;
    }

    private static bool IsPageStartPrefix(string[] prefix, int level, IReadOnlyList<string>? after)
    {
        if (after is null)
        {
            return false;
        }
        for (var i = 0; i < level; i++)
        {
            if (!string.Equals(prefix[i], after[i], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    // The rows of the call's fields, listed and sorted once per version of the set: the list holds names and bitmap
    // references only, and a version names one state of one set's names and bitmaps (the contents of a bitmap may
    // change in place, which the counts read afresh on every run). Rows a resolver lists are kept only when its
    // answers are fixed for the set's lifetime (a snapshot), as CompiledQuery keeps resolved inputs.
    private FieldRows[] RowsOf(BitmapSet inputs)
    {
        var version = inputs.Version;
        if (_rows is { } cached && cached.Version == version)
        {
            return cached.Fields;
        }
        var fields = ListRows(inputs);
        if (!inputs.HasResolver || inputs.ResolverAnswersFixed)
        {
            _rows = new RowsAtVersion(version, fields);
        }
        return fields;
    }

    private FieldRows[] ListRows(BitmapSet inputs)
    {
        var fields = new FieldRows[Call.Fields.Count];
        for (var f = 0; f < fields.Length; f++)
        {
            var field = Call.Fields[f];
            var rowPrefix = FieldNames.RowPrefix(field.Name);
            var names = new List<string>();
            foreach (var name in inputs.KnownNames)
            {
                if (name.StartsWith(rowPrefix, StringComparison.Ordinal) && name.Length > rowPrefix.Length)
                {
                    names.Add(name[rowPrefix.Length..]);
                }
            }
            if (names.Count == 0)
            {
                var known = new HashSet<string>(StringComparer.Ordinal);
                foreach (var name in inputs.KnownNames)
                {
                    var colon = name.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0 && !name.Contains('@', StringComparison.Ordinal))
                    {
                        known.Add(name[..colon]);
                    }
                }
                throw new UnknownFieldException(field, "set field", Text, UnknownBitmapException.Closest(field.Name, known));
            }
            names.Sort(StringComparer.Ordinal);
            var bitmaps = new Bitmap[names.Count];
            for (var i = 0; i < bitmaps.Length; i++)
            {
                bitmaps[i] = inputs.Resolve(rowPrefix + names[i]);
            }
            fields[f] = new FieldRows([.. names], bitmaps);
        }
        return fields;
    }

    /// <summary>The rows of the call's fields as listed at one version of a set.</summary>
    private sealed record RowsAtVersion(long Version, FieldRows[] Fields);

    /// <summary>The rows of one field, sorted by name, with their bitmaps.</summary>
    private sealed record FieldRows(string[] Names, Bitmap[] Bitmaps);
}
