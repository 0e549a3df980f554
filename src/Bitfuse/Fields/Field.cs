namespace Bitfuse.Fields;

/// <summary>A field of a <see cref="FieldSet"/>: a named group of bitmaps under the <see cref="FieldNames"/> convention.</summary>
public abstract class Field
{
    private protected Field(FieldSet owner, string name)
    {
        Owner = owner;
        Name = name;
    }

    /// <summary>The field name.</summary>
    public string Name { get; }

    /// <summary>What kind of field.</summary>
    public abstract FieldKind Kind { get; }

    /// <summary>The set whose bitmaps the field writes.</summary>
    public FieldSet Owner { get; }
}
