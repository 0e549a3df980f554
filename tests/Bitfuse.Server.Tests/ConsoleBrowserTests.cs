using Microsoft.Playwright;
using static Bitfuse.Server.Tests.Answers;

namespace Bitfuse.Server.Tests;

/// <summary>
/// The web console in a real browser: Debian's Chromium driven by Playwright through its executable path (no
/// browser download). Each test keeps a screenshot in the test output's <c>screenshots</c> folder.
/// </summary>
public sealed class ConsoleBrowserTests : IAsyncLifetime
{
    /// <summary>Debian's chromium package.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static string ScreenshotFolder { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (.ci/run does)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }

    [Fact]
    public async Task A_typed_query_shows_its_count_explain_tree_time_and_latency_chart()
    {
        await using var server = await RunningServer.StartAsync();
        await Seed(server);
        var page = await OpenConsole(server);

        await page.FillAsync("#query", "country_us & (ios | android) & !churned");
        await page.SelectOptionAsync("#mode", "explain");
        await page.ClickAsync("#run");

        // us ∩ (ios ∪ android) − churned over the seeded values (see Seed), counted by the same rule here.
        var expected = Enumerable.Range(0, 200).Count(v => v % 2 == 1 && (v % 3 == 0 || v % 5 == 0) && v % 7 != 0);
        await Expect(page.Locator("#count")).ToHaveTextAsync(expected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator("#tree-parsed > li > span")).ToHaveTextAsync("AND");
        await Expect(page.Locator("#tree-parsed .var")).ToHaveTextAsync(["country_us", "ios", "android", "churned"]);
        await Expect(page.Locator("#explain-facts")).ToContainTextAsync("path");
        await Expect(page.Locator("#elapsed")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("(µs|ms)$"));
        await Expect(page.Locator("#caret")).ToHaveTextAsync("");

        // A second query: the chart draws one point per query.
        await page.FillAsync("#query", "ios | android");
        await page.PressAsync("#query", "Enter");
        await Expect(page.Locator("#chart circle")).ToHaveCountAsync(2);
        await Expect(page.Locator("#chart-note")).ToContainTextAsync("2 queries");

        await page.FillAsync("#query", "country_us & (ios | android) & !churned");
        await page.ClickAsync("#run");
        await Expect(page.Locator("#chart circle")).ToHaveCountAsync(3);
        await Screenshot(page, "console-answer");
    }

    [Fact]
    public async Task A_syntax_error_is_shown_under_its_caret()
    {
        await using var server = await RunningServer.StartAsync();
        await Seed(server);
        var page = await OpenConsole(server);

        await page.FillAsync("#query", "ios & (android |");
        await page.ClickAsync("#run");

        await Expect(page.Locator("#caret")).ToHaveTextAsync(new string(' ', 16) + "^");
        await Expect(page.Locator("#message")).ToContainTextAsync("unexpected end of query");
        await Expect(page.Locator("#message")).ToContainTextAsync("column 16");
        // The caret sits under the 16th character of the text as the input draws it (within 2 px).
        var offset = await page.EvaluateAsync<double>("""
            () => {
              const input = document.getElementById("query");
              const caret = document.getElementById("caret");
              const style = getComputedStyle(input);
              const canvas = document.createElement("canvas").getContext("2d");
              canvas.font = style.font;
              const textX = input.getBoundingClientRect().left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft) + canvas.measureText(input.value.slice(0, 16)).width;
              const range = document.createRange();
              const node = caret.firstChild;
              range.setStart(node, node.length - 1);
              range.setEnd(node, node.length);
              return range.getBoundingClientRect().left - textX;
            }
            """);
        Assert.InRange(offset, -2, 2);
        await Screenshot(page, "console-syntax-error");
    }

    [Fact]
    public async Task A_bitmap_committed_over_the_api_appears_in_the_list()
    {
        await using var server = await RunningServer.StartAsync();
        await Seed(server);
        var page = await OpenConsole(server);
        await Expect(page.Locator("#bitmaps tr")).ToHaveCountAsync(5);
        await Expect(page.Locator("#bitmaps tr[data-name=\"segment_new\"]")).ToHaveCountAsync(0);

        (await server.CommitAsync(Op("add", "segment_new", [.. Enumerable.Range(0, 5000).Select(i => (uint)(i * 2))]))).EnsureSuccessStatusCode();
        await page.ClickAsync("#refresh");

        // 5,000 even values in one key: more than an array holds (4,096), so one bitset container.
        var row = page.Locator("#bitmaps tr[data-name=\"segment_new\"] td");
        await Expect(row).ToHaveTextAsync(["segment_new", "5,000", "0", "1", "0"]);
        await Expect(page.Locator("#bitmaps tr")).ToHaveCountAsync(6);
        await Screenshot(page, "console-new-bitmap");
    }

    [Fact]
    public async Task When_reads_need_a_token_the_console_asks_for_it()
    {
        await using var server = await RunningServer.StartAsync(tokenFile: true);
        await Seed(server);
        var page = await OpenConsole(server);

        await Expect(page.Locator("#token-panel")).ToBeVisibleAsync();
        await Expect(page.Locator("#bitmaps tr")).ToHaveCountAsync(0);
        await Screenshot(page, "console-token");

        await page.FillAsync("#token", server.Token);
        await page.ClickAsync("#token-save");

        await Expect(page.Locator("#token-panel")).ToBeHiddenAsync();
        await Expect(page.Locator("#bitmaps tr")).ToHaveCountAsync(5);
        await page.FillAsync("#query", "ios");
        await page.SelectOptionAsync("#mode", "count");
        await page.ClickAsync("#run");
        await Expect(page.Locator("#count")).ToHaveTextAsync("67");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private async Task<IPage> OpenConsole(RunningServer server)
    {
        var page = await _browser!.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 760 } });
        await page.GotoAsync(server.Server.Urls[0].ToString());
        return page;
    }

    // Five bitmaps over 0..199: us = odd values, ios = multiples of 3, android = multiples of 5, churned = multiples of 7,
    // everyone = all of them.
    private static async Task Seed(RunningServer server) =>
        (await server.CommitAsync(
            Op("add", "country_us", Values(v => v % 2 == 1)),
            Op("add", "ios", Values(v => v % 3 == 0)),
            Op("add", "android", Values(v => v % 5 == 0)),
            Op("add", "churned", Values(v => v % 7 == 0)),
            Op("add", "everyone", Values(_ => true)))).EnsureSuccessStatusCode();

    private static uint[] Values(Func<uint, bool> keep) => [.. Enumerable.Range(0, 200).Select(v => (uint)v).Where(keep)];

    private static Task Screenshot(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });
}
