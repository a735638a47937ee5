/**
 * The interactive shell in a real terminal (tmux): connect, upload, Tab
 * completion, run with live status, status, stats against all.json, export,
 * an error line, and history with Up.
 */
import assert from "node:assert/strict";
import { prettyPrintNanos } from "../../src/stats/stats_table.ts";
import { testController } from "../controller/_rest_helpers.ts";
import { exampleServer } from "../integration/_helpers.ts";
import { ROOT, stackLines, tempFiles } from "./_hf.ts";
import { allJsonTotals, quickstartYaml, statsRows } from "./_shell.ts";

function hasTmux(): boolean {
  try {
    return new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** A tmux server of our own (its own socket), killed when disposed. */
function tmuxServer() {
  const socket = `hf-shell-test-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const tmux = async (...args: string[]) => {
    const r = await new Deno.Command("tmux", { args: ["-L", socket, ...args], stderr: "piped" })
      .output();
    if (!r.success) throw new Error(`tmux ${args[0]}: ${new TextDecoder().decode(r.stderr)}`);
    return new TextDecoder().decode(r.stdout);
  };
  return {
    tmux,
    /** The whole pane, scrollback included, wrapped lines joined. */
    screen: () => tmux("capture-pane", "-p", "-J", "-S", "-2000", "-t", "shell"),
    keys: (...keys: string[]) => tmux("send-keys", "-t", "shell", ...keys),
    async [Symbol.asyncDispose]() {
      await new Deno.Command("tmux", { args: ["-L", socket, "kill-server"], stderr: "null" })
        .output().catch(() => {});
    },
  };
}

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

Deno.test({
  name: "the shell in a terminal: connect, upload, Tab, run, status, stats, export, errors, Up",
  ignore: !hasTmux(),
  async fn() {
    await using server = exampleServer();
    await using controller = await testController();
    await using files = await tempFiles({
      "quickstart.hf.yaml": await quickstartYaml(`http://127.0.0.1:${server.port}`, "2s"),
    });
    await using t = tmuxServer();
    const history = files.path("history");
    const command = `cd ${shellQuote(ROOT)} && HF_HISTORY=${shellQuote(history)} NO_COLOR=1 ` +
      `${shellQuote(Deno.execPath())} run -A --quiet cli.ts cli`;
    await t.tmux("new-session", "-d", "-s", "shell", "-x", "250", "-y", "50", command);

    let screen = "";
    const waitFor = async (pattern: RegExp, what: string, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        screen = await t.screen();
        if (pattern.test(screen)) return screen;
        if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; screen:\n${screen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const authority = new URL(controller.url).host;
    const prompt = `[hf@${authority}]$`;
    const lastLine = () => screen.trimEnd().split("\n").at(-1) ?? "";

    await waitFor(/^\[hf\]\$ $/m, "the first prompt");
    await t.keys(`connect ${authority}`, "Enter");
    await waitFor(/Connected to /, "connect");
    await t.keys(`upload ${files.path("quickstart.hf.yaml")}`, "Enter");
    await waitFor(/Uploaded benchmark quickstart/, "upload");

    // Tab completes the benchmark name from the controller.
    await t.keys("run quick", "Tab");
    await waitFor(/\$ run quickstart $/m, "Tab completion of 'quick'");
    await t.keys("Enter");
    await waitFor(/Started run 0000 \(press Enter to stop watching\)/, "the run to start");
    // Refreshed every second: a status before the end shows (which one depends on timing).
    await waitFor(/main\s+(NOT_STARTED|STARTING|RUNNING|FINISHING|FINISHED)\s/, "live status");
    await waitFor(/main\s+TERMINATED[^\n]*\n[^\n]*\$ $/m, "the run to end and the prompt");
    // The live status was repainted in place: one status block after the run started.
    const afterStart = screen.slice(screen.indexOf("Started run 0000"));
    assert.equal(afterStart.match(/^NAME\s+STATUS/gm)?.length, 1, screen);

    await t.keys("status", "Enter");
    await waitFor(/\$ status\n(.*\n)*main\s+TERMINATED/, "status");
    await t.keys("stats", "Enter");
    await waitFor(/Total stats from run 0000\nPHASE[^\n]*\n(main [^\n]*\n){2}/, "stats");
    const table = screen.slice(screen.lastIndexOf("Total stats from run 0000"));
    const header = table.split("\n")[1].trim().split(/\s+/);
    assert.deepEqual(header, [
      "PHASE",
      "METRIC",
      "THROUGHPUT",
      "REQUESTS",
      "MEAN",
      "STD_DEV",
      "MAX",
      "p50",
      "p90",
      "p99",
      "p99.9",
      "p99.99",
      "INVALID",
      "TIMEOUTS",
      "ERRORS",
      "BLOCKED",
      "2xx",
      "3xx",
      "4xx",
      "5xx",
      "CACHE",
    ]);
    const all = await (await fetch(`${controller.url}/run/0000/stats/all/json`)).json();
    const totals = allJsonTotals(all);
    for (const [key, row] of statsRows(table)) {
      const s = totals.get(key) as { requestCount: number; meanResponseTime: number };
      assert.ok(s !== undefined, `${key} is not in all.json`);
      assert.equal(Number(row.REQUESTS), s.requestCount, key);
      assert.equal(row.MEAN, prettyPrintNanos(s.meanResponseTime).trim(), key);
    }

    await t.keys(`export -d ${files.dir}`, "Enter");
    await waitFor(/Exported run 0000 to /, "export");
    assert.deepEqual(JSON.parse(await Deno.readTextFile(files.path("0000.json"))), all);

    await t.keys("status 00FF", "Enter");
    await waitFor(/Run '00FF' is not known\n.*\$ $/m, "the error line");

    // Up brings back the last command; Ctrl-C clears it.
    await t.keys("Up");
    await waitFor(/\$ status 00FF$/m, "history with Up");
    assert.equal(lastLine(), `${prompt} status 00FF`);
    await t.keys("Up");
    await waitFor(/\$ export -d [^\n]*$/m, "history with Up twice");
    await t.keys("C-c");
    await waitFor(/\^C\n.*\$ $/m, "Ctrl-C clearing the line");
    assert.equal(stackLines(screen).length, 0, screen);

    await t.keys("exit", "Enter");
    // The line is written to the history before it runs; poll until it is there.
    let lines: string[] = [];
    const deadline = Date.now() + 10_000;
    while (lines.at(-1) !== "exit" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      lines = (await Deno.readTextFile(history)).trim().split("\n");
    }
    assert.equal(lines[0], `connect ${authority}`);
    assert.equal(lines.at(-1), "exit");
    assert.ok(lines.includes("run quickstart "), lines.join("\n"));
  },
});
