using System.Globalization;

namespace Bitfuse.Fields;

/// <summary>
/// The names under which fields keep their bitmaps: a storage format, so anything that holds named bitmaps (a
/// <see cref="BitmapSet"/>, a database) holds fields without a format of its own. See docs/design/fields.md.
/// <list type="bullet">
/// <item>set and mutex rows: <c>&lt;field&gt;:&lt;row&gt;</c>;</item>
/// <item>bool: <c>&lt;field&gt;</c> (true) and <c>&lt;field&gt;@false</c>;</item>
/// <item>int: <c>&lt;field&gt;@exists</c>, <c>&lt;field&gt;@bsi:&lt;i&gt;</c> (bit i of value − minimum), and the
/// descriptor <c>&lt;field&gt;@int</c> (<see cref="IntFieldSchema"/>).</item>
/// </list>
/// </summary>
internal static class FieldNames
{
    /// <summary>The bitmap of row <paramref name="row"/> of a set or mutex field.</summary>
    public static string Row(string field, string row) => field + ":" + row;

    /// <summary>The prefix every row bitmap of <paramref name="field"/> starts with.</summary>
    public static string RowPrefix(string field) => field + ":";

    /// <summary>The bitmap of the columns where bool field <paramref name="field"/> is false (the field's own name holds the true ones).</summary>
    public static string False(string field) => field + "@false";

    /// <summary>The columns of int field <paramref name="field"/> that hold a value.</summary>
    public static string Exists(string field) => field + "@exists";

    /// <summary>Bit slice <paramref name="bit"/> of int field <paramref name="field"/>.</summary>
    public static string Slice(string field, int bit) => field + "@bsi:" + bit.ToString(CultureInfo.InvariantCulture);

    /// <summary>The descriptor of int field <paramref name="field"/> (its minimum and depth).</summary>
    public static string IntDescriptor(string field) => field + "@int";

    /// <summary>Throws when <paramref name="field"/> cannot name a field: empty, or not a bare query name, or holding ':' or '@'.</summary>
    public static void Validate(string field)
    {
        ArgumentException.ThrowIfNullOrEmpty(field);
        if (!char.IsAsciiLetter(field[0]) && field[0] != '_')
        {
            throw new ArgumentException($"field name '{field}' must start with a letter or '_'", nameof(field));
        }
        foreach (var c in field)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
            {
                throw new ArgumentException($"field name '{field}' may hold only letters, digits, '_', '.' and '-'", nameof(field));
            }
        }
    }
}
