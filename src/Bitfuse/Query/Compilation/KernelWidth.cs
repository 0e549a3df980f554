namespace Bitfuse.Query.Compilation;

/// <summary>The vector width a kernel computes with.</summary>
public enum KernelWidth
{
    /// <summary>The widest hardware-accelerated width: 512, else 256, else 128, else scalar.</summary>
    Auto = 0,

    /// <summary>64-bit words, one at a time.</summary>
    Scalar = 64,

    /// <summary><c>Vector128&lt;ulong&gt;</c>: four vectors per 64-byte block.</summary>
    Vector128 = 128,

    /// <summary><c>Vector256&lt;ulong&gt;</c>: two vectors per 64-byte block.</summary>
    Vector256 = 256,

    /// <summary><c>Vector512&lt;ulong&gt;</c>: one vector per 64-byte block.</summary>
    Vector512 = 512,
}
