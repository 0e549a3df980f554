namespace Bitfuse.Fields;

/// <summary>The kinds of field.</summary>
public enum FieldKind
{
    /// <summary>Rows of columns; a column may be in any number of rows (tags, cities visited).</summary>
    Set,

    /// <summary>Rows of columns; a column is in at most one row (the country of a user).</summary>
    Mutex,

    /// <summary>True, false or nothing per column.</summary>
    Bool,

    /// <summary>A 64-bit integer or nothing per column, kept bit-sliced.</summary>
    Int,
}
