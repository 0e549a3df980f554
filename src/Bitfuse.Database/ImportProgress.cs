namespace Bitfuse;

/// <summary>The phase of an import that a progress report is about.</summary>
public enum ImportStage
{
    /// <summary>Reading and checking the input; nothing is committed yet. Units: input bytes.</summary>
    Reading,

    /// <summary>Committing the parsed bitmaps in transactions. Units: bitmaps.</summary>
    Committing,

    /// <summary>Folding the commits into the data file. Units: one step.</summary>
    Checkpointing,
}

/// <summary>How far an import is: <see cref="Done"/> of <see cref="Total"/> units of its current <see cref="Stage"/>.</summary>
public readonly record struct ImportProgress(ImportStage Stage, long Done, long Total);
