using Spectre.Console;

namespace Bitfuse.Cli;

/// <summary>
/// Runs a long operation (a <c>db</c> verb, the demo's data generation) and shows a progress bar on stderr once
/// it has taken a second (only on a terminal): the operation reports (stage, done, total) from its own thread;
/// this renders. The one progress bar of the command.
/// </summary>
internal static class ProgressBar
{
    public static T Run<T>(bool quiet, Func<Action<string, long, long>, T> work)
    {
        var gate = new Lock();
        (string Stage, long Done, long Total) latest = ("", 0, 1);
        var task = Task.Run(() => work((stage, done, total) =>
        {
            lock (gate)
            {
                latest = (stage, done, Math.Max(total, 1));
            }
        }));
        if (Finished(task, TimeSpan.FromSeconds(1)) || quiet || Console.IsErrorRedirected)
        {
            return task.GetAwaiter().GetResult();
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress().AutoClear(true).Start(context =>
        {
            ProgressTask? bar = null;
            string? shown = null;
            do
            {
                (string Stage, long Done, long Total) now;
                lock (gate)
                {
                    now = latest;
                }
                if (now.Stage != shown)
                {
                    bar?.StopTask();
                    bar = context.AddTask(Markup.Escape(now.Stage), maxValue: now.Total);
                    shown = now.Stage;
                }
                bar!.MaxValue = now.Total;
                bar.Value = now.Done;
            }
            while (!Finished(task, TimeSpan.FromMilliseconds(100)));
        });
        return task.GetAwaiter().GetResult();
    }

    // Waits without throwing: the operation's own exception is rethrown unwrapped by GetResult.
    private static bool Finished(Task task, TimeSpan timeout) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(timeout);
}
