namespace Bitfuse.Fields;

/// <summary>A bool field: the bitmap <c>&lt;field&gt;</c> holds the true columns, <c>&lt;field&gt;@false</c> the false ones.</summary>
public sealed class BoolField : Field
{
    internal BoolField(FieldSet owner, string name)
        : base(owner, name)
    {
        owner.Bitmap(name);
        owner.Bitmap(FieldNames.False(name));
    }

    /// <inheritdoc />
    public override FieldKind Kind => FieldKind.Bool;

    /// <summary>The true columns.</summary>
    public Bitmap True => Owner.Bitmap(Name);

    /// <summary>The false columns.</summary>
    public Bitmap False => Owner.Bitmap(FieldNames.False(Name));

    /// <summary>Sets <paramref name="column"/> to <paramref name="value"/>.</summary>
    public void Set(uint column, bool value)
    {
        (value ? True : False).Add(column);
        (value ? False : True).Remove(column);
    }

    /// <summary>Takes the value of <paramref name="column"/> away.</summary>
    public void Clear(uint column)
    {
        True.Remove(column);
        False.Remove(column);
    }

    /// <summary>The value of <paramref name="column"/>, or null when it has none.</summary>
    public bool? Get(uint column) => True.Contains(column) ? true : False.Contains(column) ? false : null;
}
