namespace Bitfuse.Query.Syntax;

/// <summary>The aggregate of an <see cref="AggregateCall"/>.</summary>
public enum AggregateFunction
{
    /// <summary><c>count(f)</c>: how many columns pass the filter.</summary>
    Count,

    /// <summary><c>sum(age, f)</c>: the sum of an int field over the filter's columns that have a value.</summary>
    Sum,

    /// <summary><c>min(age, f)</c>: the smallest value of an int field over the filter.</summary>
    Min,

    /// <summary><c>max(age, f)</c>: the largest value of an int field over the filter.</summary>
    Max,

    /// <summary><c>topn(city, 10, f)</c>: the rows of a set field with the most columns in the filter, exactly.</summary>
    TopN,

    /// <summary><c>groupby(os, country, f)</c>: the count of every non-empty combination of rows under the filter, in key order.</summary>
    GroupBy,
}
