namespace Bitfuse.Persistence;

/// <summary>What one change of a transaction does to a named bitmap.</summary>
internal enum WriteOpKind : byte
{
    /// <summary>Adds the values of the operand.</summary>
    Add = 1,

    /// <summary>Removes the values of the operand.</summary>
    Remove = 2,

    /// <summary>Replaces the bitmap by the operand (creating it if new).</summary>
    Set = 3,

    /// <summary>Removes the name and its bitmap.</summary>
    Delete = 4,
}

/// <summary>One change of a transaction: the operand is owned by the transaction (null for a delete).</summary>
internal readonly record struct WriteOp(WriteOpKind Kind, string Name, Bitmap? Operand);
