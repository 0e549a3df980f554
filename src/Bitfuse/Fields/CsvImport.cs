using System.Globalization;
using System.Text;

namespace Bitfuse.Fields;

/// <summary>
/// Reads a CSV table into fields: the first line names the columns, each later line is one column id (0, 1, 2, ...
/// in line order), and each typed CSV column becomes a field of the same name. An empty cell is no value; a set
/// cell may hold several rows separated by <c>|</c>; a bool cell is true/false, 1/0 or yes/no. Cells may be
/// quoted with <c>"</c> (a doubled quote inside is one quote). Columns that are not typed are skipped.
/// Values are gathered per field and written in bulk every <see cref="BatchRows"/> lines.
/// </summary>
public static class CsvImport
{
    /// <summary>How many lines are gathered before they are written into the fields.</summary>
    internal const int BatchRows = 1 << 20;

    /// <summary>Reads <paramref name="reader"/> into <paramref name="fields"/>; returns the number of data lines.</summary>
    /// <param name="reader">The CSV text, header first.</param>
    /// <param name="fields">Where the fields are made or extended.</param>
    /// <param name="columns">The kind of each CSV column to import, by header name.</param>
    /// <exception cref="InvalidDataException">A missing header or typed column, a line with too few cells, a bad int or bool, with its line number.</exception>
    public static long Load(TextReader reader, FieldSet fields, IReadOnlyDictionary<string, FieldKind> columns)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(columns);
        var header = reader.ReadLine() ?? throw new InvalidDataException("the CSV is empty: no header line");
        var names = Split(header, 1);
        var targets = new List<(int Cell, string Name, FieldKind Kind)>();
        foreach (var (name, kind) in columns)
        {
            var cell = names.IndexOf(name);
            if (cell < 0)
            {
                throw new InvalidDataException($"the CSV header has no column '{name}' (it has {string.Join(", ", names)})");
            }
            targets.Add((cell, name, kind));
        }
        var batches = targets.Select(t => new Batch(fields, t.Name, t.Kind)).ToArray();
        long line = 1;
        uint column = 0;
        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            if (column == uint.MaxValue)
            {
                throw new InvalidDataException($"line {line}: more than 2^32 - 1 rows");
            }
            var cells = Split(text, line);
            for (var t = 0; t < targets.Count; t++)
            {
                var (cell, name, kind) = targets[t];
                if (cell >= cells.Count)
                {
                    throw new InvalidDataException($"line {line}: {cells.Count} cells, no cell for column '{name}'");
                }
                if (cells[cell].Length > 0)
                {
                    batches[t].Add(column, cells[cell], line);
                }
            }
            column++;
            if (column % BatchRows == 0)
            {
                foreach (var batch in batches)
                {
                    batch.Flush();
                }
            }
        }
        foreach (var batch in batches)
        {
            batch.Flush();
        }
        return column;
    }

    private static List<string> Split(string line, long number)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }
        if (quoted)
        {
            throw new InvalidDataException($"line {number}: unterminated quoted cell");
        }
        cells.Add(cell.ToString().Trim());
        return cells;
    }

    /// <summary>The values of one field gathered since the last flush.</summary>
    private sealed class Batch(FieldSet fields, string name, FieldKind kind)
    {
        private readonly Dictionary<string, List<uint>> _rows = new(StringComparer.Ordinal);
        private readonly List<uint> _columns = [];
        private readonly List<long> _values = [];
        private readonly List<uint> _true = [];
        private readonly List<uint> _false = [];

        public void Add(uint column, string cell, long line)
        {
            switch (kind)
            {
                case FieldKind.Int:
                    if (!long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                    {
                        throw new InvalidDataException($"line {line}, column '{name}': '{cell}' is not a 64-bit integer");
                    }
                    _columns.Add(column);
                    _values.Add(value);
                    break;
                case FieldKind.Bool:
                    (cell.ToLowerInvariant() switch
                    {
                        "true" or "1" or "yes" => _true,
                        "false" or "0" or "no" => _false,
                        _ => throw new InvalidDataException($"line {line}, column '{name}': '{cell}' is not true/false, 1/0 or yes/no"),
                    }).Add(column);
                    break;
                default:
                    foreach (var part in kind == FieldKind.Set ? cell.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [cell])
                    {
                        if (!_rows.TryGetValue(part, out var list))
                        {
                            _rows.Add(part, list = []);
                        }
                        list.Add(column);
                    }
                    break;
            }
        }

        public void Flush()
        {
            switch (kind)
            {
                case FieldKind.Int:
                    var field = fields.Int(name);
                    field.SetMany(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_columns), System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_values));
                    break;
                case FieldKind.Bool:
                    var flag = fields.Bool(name);
                    flag.True.AddMany(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_true));
                    flag.False.AddMany(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_false));
                    break;
                default:
                    var rows = kind == FieldKind.Set ? fields.Set(name) : fields.Mutex(name);
                    foreach (var (row, columns) in _rows)
                    {
                        rows.AddMany(row, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(columns));
                    }
                    break;
            }
            _rows.Clear();
            _columns.Clear();
            _values.Clear();
            _true.Clear();
            _false.Clear();
        }
    }
}
