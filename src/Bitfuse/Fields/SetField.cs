namespace Bitfuse.Fields;

/// <summary>
/// A set or mutex field: rows named by strings, each the bitmap <c>&lt;field&gt;:&lt;row&gt;</c> of its columns.
/// In a mutex field a column is in at most one row: adding it to a row takes it out of its previous one.
/// </summary>
public sealed class SetField : Field
{
    private readonly List<string> _rows = [];
    private readonly Dictionary<string, int> _rowIndex = new(StringComparer.Ordinal);
    private readonly bool _mutex;
    private int[] _rowOfColumn = [];

    internal SetField(FieldSet owner, string name, bool mutex)
        : base(owner, name)
    {
        _mutex = mutex;
    }

    /// <inheritdoc />
    public override FieldKind Kind => _mutex ? FieldKind.Mutex : FieldKind.Set;

    /// <summary>The row names, in the order they first got a column.</summary>
    public IReadOnlyList<string> Rows => _rows;

    /// <summary>The columns of <paramref name="row"/>, or null when the field has no such row.</summary>
    public Bitmap? Row(string row) => _rowIndex.ContainsKey(row) ? Owner.Bitmap(FieldNames.Row(Name, row)) : null;

    /// <summary>Puts <paramref name="column"/> in <paramref name="row"/> (in a mutex field, only there).</summary>
    public void Add(uint column, string row)
    {
        var index = RowIndex(row);
        if (_mutex)
        {
            var previous = RowOfColumn(column);
            if (previous == index)
            {
                return;
            }
            if (previous >= 0)
            {
                Owner.Bitmap(FieldNames.Row(Name, _rows[previous])).Remove(column);
            }
            SetRowOfColumn(column, index);
        }
        Owner.Bitmap(FieldNames.Row(Name, row)).Add(column);
    }

    /// <summary>Puts every column of <paramref name="columns"/> in <paramref name="row"/> (in a mutex field, only there).</summary>
    public void AddMany(string row, ReadOnlySpan<uint> columns)
    {
        var index = RowIndex(row);
        if (_mutex)
        {
            foreach (var column in columns)
            {
                var previous = RowOfColumn(column);
                if (previous >= 0 && previous != index)
                {
                    Owner.Bitmap(FieldNames.Row(Name, _rows[previous])).Remove(column);
                }
                SetRowOfColumn(column, index);
            }
        }
        Owner.Bitmap(FieldNames.Row(Name, row)).AddMany(columns);
    }

    /// <summary>Takes <paramref name="column"/> out of <paramref name="row"/>; false when it was not there.</summary>
    public bool Remove(uint column, string row)
    {
        if (!_rowIndex.TryGetValue(row, out var index))
        {
            return false;
        }
        if (_mutex && RowOfColumn(column) == index)
        {
            SetRowOfColumn(column, -1);
        }
        return Owner.Bitmap(FieldNames.Row(Name, row)).Remove(column);
    }

    /// <summary>The row of <paramref name="column"/> in a mutex field, or null when it has none.</summary>
    /// <exception cref="InvalidOperationException">The field is a set field.</exception>
    public string? RowOf(uint column)
    {
        if (!_mutex)
        {
            throw new InvalidOperationException($"'{Name}' is a set field: a column may be in many rows");
        }
        var index = RowOfColumn(column);
        return index < 0 ? null : _rows[index];
    }

    private int RowIndex(string row)
    {
        ArgumentException.ThrowIfNullOrEmpty(row);
        if (!_rowIndex.TryGetValue(row, out var index))
        {
            index = _rows.Count;
            _rows.Add(row);
            _rowIndex.Add(row, index);
            Owner.Bitmap(FieldNames.Row(Name, row));
        }
        return index;
    }

    private int RowOfColumn(uint column) => column < (uint)_rowOfColumn.Length ? _rowOfColumn[column] : -1;

    private void SetRowOfColumn(uint column, int index)
    {
        if (column >= (uint)_rowOfColumn.Length)
        {
            if (index < 0)
            {
                return;
            }
            var length = (int)Math.Min(Array.MaxLength, Math.Max((long)column + 1, 2L * _rowOfColumn.Length));
            var grown = new int[length];
            _rowOfColumn.CopyTo(grown, 0);
            grown.AsSpan(_rowOfColumn.Length).Fill(-1);
            _rowOfColumn = grown;
        }
        _rowOfColumn[column] = index;
    }
}
