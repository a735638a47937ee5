/** Shell commands about runs: run, status, wait, kill, runs, sessions, connections, cpu, log. */
import { type Client, type MinMax, type RunJson, ShellError } from "../client.ts";
import { keyValues } from "../command_line.ts";
import {
  benchmarkOf,
  clientOf,
  formatTable,
  listOption,
  PARAM_OPTION,
  runIdOf,
  type ShellCommand,
  type ShellState,
  stringOption,
} from "../context.ts";

/** `2024/05/01 12:00:03.7` → `12:00:03.7`; empty for null. */
function timeOf(date: string | null): string {
  return date === null ? "" : date.replace(/^\S+\s+/, "");
}

/** Hyperfoil's `status` output: the run, its agents, the phase table and errors. */
export function formatStatus(run: RunJson): string {
  let out = `Run ${run.id}, benchmark ${run.benchmark ?? "?"}`;
  if (run.description) out += `: ${run.description}`;
  out += "\n";
  const agents = (run.agents ?? []).map((a) => `${a.name}[${a.status}]`);
  if (agents.length > 0) out += `Agents: ${agents.join(", ")}\n`;
  if (run.started !== null) {
    out += `Started: ${run.started}`;
    out += run.terminated !== null ? `    Terminated: ${run.terminated}\n` : "\n";
  } else if (!run.completed) out += "Not started yet\n";
  const phases = run.phases ?? [];
  if (phases.length > 0) {
    out += formatTable(
      ["NAME", "STATUS", "STARTED", "REMAINING", "COMPLETED", "TOTAL DURATION", "DESCRIPTION"],
      phases.map((p) => [
        p.name,
        `${p.status ?? ""}${p.failed ? " (FAILED)" : ""}`,
        timeOf(p.started),
        p.remaining ?? "",
        timeOf(p.completed),
        p.totalDuration ?? "",
        p.description ?? "",
      ]),
    );
  }
  for (const e of run.errors ?? []) out += `Error: ${e}\n`;
  if (run.cancelled) out += "The run was cancelled\n";
  return out;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The end state of watching: the run ended, or the user stopped watching. */
type WatchEnd = "completed" | "left";

/**
 * Shows the run's status every second until it completes or (on a terminal)
 * the user presses Enter; on a terminal the block is repainted in place,
 * elsewhere only the final status is printed.
 */
export async function watchRun(
  state: ShellState,
  client: Client,
  id: string,
  options: { live: boolean },
): Promise<WatchEnd> {
  const live = options.live && state.input.interactive && !state.script;
  let painted = 0;
  for (;;) {
    const run = await client.run(id);
    const text = formatStatus(run);
    if (live) {
      const erase = painted > 0 ? `\x1b[${painted}A\r\x1b[J` : "";
      state.io.out(erase + text);
      painted = text.split("\n").length - 1;
    }
    if (run.completed) {
      if (!live) state.io.out(text);
      return "completed";
    }
    if (state.input.interactive && !state.script) {
      if (await state.input.keyWithin(1000)) {
        if (!live) state.io.out(text);
        return "left";
      }
    } else await delay(1000);
  }
}

const run: ShellCommand = {
  name: "run",
  summary: "start a run of a benchmark and watch its status (Enter stops watching)",
  args: [{ name: "name", kind: "benchmark", optional: true }],
  options: [
    PARAM_OPTION,
    { short: "d", long: "description", value: { name: "TEXT" }, description: "run description" },
  ],
  async run(state, args) {
    const client = clientOf(state);
    const name = benchmarkOf(state, args.positionals[0]);
    const params = keyValues(listOption(args, "param"), "template parameter");
    const started = await client.start(name, {
      params,
      description: stringOption(args, "description"),
    });
    state.benchmark = name;
    state.runId = started.id;
    const hint = state.input.interactive && !state.script ? " (press Enter to stop watching)" : "";
    state.io.out(`Started run ${started.id}${hint}\n`);
    const end = await watchRun(state, client, started.id, { live: true });
    if (end === "left") {
      state.io.out(`Run ${started.id} continues: see 'status', 'stats', 'kill'\n`);
    }
  },
};

const status: ShellCommand = {
  name: "status",
  summary: "status of the current (or given) run: its phases, agents and errors",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [],
  async run(state, args) {
    const id = runIdOf(state, args.positionals[0]);
    const json = await clientOf(state).run(id);
    state.runId = json.id;
    state.io.out(formatStatus(json));
  },
};

const wait: ShellCommand = {
  name: "wait",
  summary: "wait until the current (or given) run ends, then show its status",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [],
  async run(state, args) {
    const id = runIdOf(state, args.positionals[0]);
    state.runId = id;
    const end = await watchRun(state, clientOf(state), id, { live: false });
    if (end === "left") state.io.out(`Stopped waiting; run ${id} continues\n`);
  },
};

const kill: ShellCommand = {
  name: "kill",
  summary: "kill the current (or given) run",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [{ short: "y", long: "yes", description: "do not ask for confirmation" }],
  async run(state, args) {
    const id = runIdOf(state, args.positionals[0]);
    const client = clientOf(state);
    if (args.options.yes !== true && state.input.interactive && !state.script) {
      const answer = await state.input.ask(`Kill run ${id}? [y/N] `);
      if (!/^y(es)?$/i.test(answer?.trim() ?? "")) {
        state.io.out("Not killed\n");
        return;
      }
    }
    state.io.out(`${await client.kill(id)}\n`);
  },
};

const runs: ShellCommand = {
  name: "runs",
  summary: "list the runs the controller knows",
  args: [],
  options: [],
  async run(state) {
    const list = await clientOf(state).runs();
    if (list.length === 0) {
      state.io.out("No runs yet\n");
      return;
    }
    state.io.out(formatTable(
      ["RUN_ID", "BENCHMARK", "STARTED", "TERMINATED", "DESCRIPTION"],
      list.map((r) => [
        r.id,
        r.benchmark ?? "",
        r.started ?? "",
        r.terminated ?? (r.completed ? "" : "(running)"),
        r.description ?? "",
      ]),
    ));
  },
};

/** Total once the run completed, recent while it runs; `-t` forces total. */
async function window(
  client: Client,
  id: string,
  total: boolean,
): Promise<"recent" | "total"> {
  if (total) return "total";
  return (await client.run(id)).completed ? "total" : "recent";
}

const TOTAL_OPTION = { short: "t", long: "total", description: "the whole run, not the last 5 s" };

function minMaxRows(
  table: Record<string, Record<string, MinMax>>,
): string[][] {
  return Object.entries(table).flatMap(([a, byB]) =>
    Object.entries(byB).map(([b, mm]) => [a, b, String(mm.min), String(mm.max)])
  );
}

/** `sessions` and `connections`: a min/max table of the run's recent or total records. */
function minMaxCommand(
  name: string,
  summary: string,
  fetch: (
    client: Client,
    id: string,
    which: "recent" | "total",
  ) => Promise<Record<string, Record<string, MinMax>>>,
  header: [string, string],
  what: string,
  aliases?: string[],
): ShellCommand {
  return {
    name,
    aliases,
    summary,
    args: [{ name: "run", kind: "run", optional: true }],
    options: [TOTAL_OPTION],
    async run(state, args) {
      const client = clientOf(state);
      const id = runIdOf(state, args.positionals[0]);
      const which = await window(client, id, args.options.total === true);
      const rows = minMaxRows(await fetch(client, id, which));
      state.io.out(
        rows.length === 0
          ? `No ${what} records (${which})\n`
          : formatTable([...header, "MIN", "MAX"], rows),
      );
    },
  };
}

const sessions = minMaxCommand(
  "sessions",
  "minimum and maximum sessions per phase and agent",
  (client, id, which) => client.sessions(id, which),
  ["PHASE", "AGENT"],
  "session",
);

const connections = minMaxCommand(
  "connections",
  "minimum and maximum connections per target and type",
  (client, id, which) => client.connections(id, which),
  ["TARGET", "TYPE"],
  "connection",
  ["conns"],
);

const cpu: ShellCommand = {
  name: "cpu",
  summary: "agents' CPU usage per phase",
  args: [{ name: "run", kind: "run", optional: true }],
  options: [],
  async run(state, args) {
    const id = runIdOf(state, args.positionals[0]);
    const table = await clientOf(state).agentCpu(id);
    const agents = [...new Set(Object.values(table).flatMap((a) => Object.keys(a)))].sort();
    if (agents.length === 0) {
      state.io.out("No CPU records\n");
      return;
    }
    state.io.out(formatTable(
      ["PHASE", ...agents],
      Object.entries(table).map(([phase, byAgent]) => [
        phase,
        ...agents.map((a) => byAgent[a] ?? ""),
      ]),
    ));
  },
};

const log: ShellCommand = {
  name: "log",
  summary: "print the controller's log, or an agent's",
  args: [{ name: "agent", kind: "agent", optional: true }],
  options: [],
  async run(state, args) {
    const text = await clientOf(state).log(args.positionals[0]);
    if (text === "") throw new ShellError("The log is empty");
    state.io.out(text.endsWith("\n") ? text : `${text}\n`);
  },
};

export const RUN_COMMANDS: readonly ShellCommand[] = [
  run,
  status,
  wait,
  kill,
  runs,
  sessions,
  connections,
  cpu,
  log,
];
