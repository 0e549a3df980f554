using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

/// <summary>A thread that enters a read section of an <see cref="Smr"/> and stays inside until <see cref="Leave"/>.</summary>
internal sealed class HeldReader : IDisposable
{
    private readonly ManualResetEventSlim _entered = new();
    private readonly ManualResetEventSlim _leave = new();
    private readonly Thread _thread;

    private HeldReader(Smr smr)
    {
        _thread = new Thread(() =>
        {
            using (smr.Enter())
            {
                _entered.Set();
                _leave.Wait();
            }
        });
        _thread.Start();
        _entered.Wait();
    }

    /// <summary>Starts the thread and returns once it is inside its read section.</summary>
    public static HeldReader Start(Smr smr) => new(smr);

    /// <summary>Lets the thread leave its section and waits until it has exited.</summary>
    public void Leave()
    {
        _leave.Set();
        _thread.Join();
    }

    public void Dispose()
    {
        Leave();
        _entered.Dispose();
        _leave.Dispose();
    }
}
