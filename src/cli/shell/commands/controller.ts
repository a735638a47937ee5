/** Shell commands about the controller: connect, start-local, version, shutdown, exit. */
import { VERSION } from "../../version.ts";
import {
  AuthRequiredError,
  baseUrlOf,
  type Client,
  restClient,
  ShellError,
  type VersionJson,
} from "../client.ts";
import {
  clientOf,
  type LocalController,
  type ShellCommand,
  type ShellState,
  stringOption,
} from "../context.ts";
import { defaultRoot } from "../../../controller/run_store.ts";

/** Reaches the controller at `baseUrl` (asking for a password on 401) and makes it current. */
export async function connectTo(
  state: ShellState,
  baseUrl: string,
  askPassword: boolean,
): Promise<void> {
  let password: string | undefined;
  if (askPassword) password = await askFor(state, baseUrl);
  let client = restClient({ baseUrl, password });
  let version: VersionJson;
  try {
    version = await client.version();
  } catch (e) {
    if (!(e instanceof AuthRequiredError) || password !== undefined) throw e;
    password = await askFor(state, baseUrl);
    client = restClient({ baseUrl, password });
    version = await client.version();
  }
  if (state.client?.baseUrl !== client.baseUrl) {
    state.benchmark = undefined;
    state.runId = undefined;
  }
  state.client = client;
  state.deploymentId = version.deploymentId;
  state.lost = false;
  state.io.out(`Connected to ${client.authority} (controller ${version.version})\n`);
}

async function askFor(state: ShellState, baseUrl: string): Promise<string> {
  const password = await state.input.ask(`Password for ${new URL(baseUrl).host}: `, {
    secret: true,
  });
  if (password === undefined) {
    throw new ShellError(`The controller at ${new URL(baseUrl).host} requires a password`);
  }
  return password;
}

/**
 * Before a command that needs the controller: checks it is there and says so
 * when it restarted since the last command (the REST API keeps no session, so
 * reconnecting is just noticing).
 */
export async function checkConnection(state: ShellState): Promise<Client> {
  const client = clientOf(state);
  const version = await client.version();
  const restarted = state.deploymentId !== undefined &&
    version.deploymentId !== state.deploymentId;
  if (state.lost || restarted) {
    state.io.out(
      `Reconnected to ${client.authority}${restarted ? " (the controller restarted)" : ""}\n`,
    );
  }
  state.lost = false;
  state.deploymentId = version.deploymentId;
  return client;
}

const connect: ShellCommand = {
  name: "connect",
  summary: "connect to a controller (default localhost:8090)",
  args: [{ name: "host[:port]", kind: "text", optional: true }],
  options: [
    { short: "p", long: "port", value: { name: "PORT" }, description: "port (default 8090)" },
    { long: "password", description: "ask for the password before connecting" },
  ],
  async run(state, args) {
    const target = args.positionals[0] ?? "localhost";
    const port = stringOption(args, "port");
    if (port !== undefined && !/^\d{1,5}$/.test(port)) {
      throw new ShellError(`Invalid port '${port}': expected 0..65535`);
    }
    const url = baseUrlOf(target, port === undefined ? 8090 : Number(port));
    const withPort = port !== undefined && !/:\d+$/.test(target)
      ? url.replace(/:\d+$/, `:${port}`)
      : url;
    await connectTo(state, withPort, args.options.password === true);
  },
};

async function startLocalController(root: string): Promise<LocalController> {
  // Loaded only here: the REST server and the engine are large.
  const [{ startControllerServer }, { createExecutor }] = await Promise.all([
    import("../../../controller/rest/server.ts"),
    import("../../../engine/create_executor.ts"),
  ]);
  const server = await startControllerServer({
    port: 0,
    root,
    version: VERSION,
    createExecutor,
  });
  return { url: server.url, root, shutdown: () => server.shutdown() };
}

const startLocal: ShellCommand = {
  name: "start-local",
  summary: "start a controller in this process on a free port and connect to it",
  args: [{ name: "root", kind: "dir", optional: true }],
  options: [
    {
      long: "root",
      value: { name: "DIR", kind: "dir" },
      description: "benchmarks and runs (default: $HF_ROOT or /tmp/hyperfoil, as hf run)",
    },
  ],
  async run(state, args) {
    if (state.local !== undefined) {
      throw new ShellError(`A local controller is already running at ${state.local.url}`);
    }
    let root = args.positionals[0] ?? stringOption(args, "root");
    // The same root as `hf run` and `hf controller`: runs outlive the shell, as Hyperfoil's do.
    root ??= defaultRoot();
    let local: LocalController;
    try {
      local = await startLocalController(root);
    } catch (e) {
      throw new ShellError(
        `The local controller cannot start: ${e instanceof Error ? e.message : e}`,
      );
    }
    state.local = local;
    state.io.out(`Started a local controller at ${local.url} (root ${root})\n`);
    await connectTo(state, local.url, false);
  },
};

const version: ShellCommand = {
  name: "version",
  summary: "versions of this shell and of the controller",
  args: [],
  options: [],
  async run(state) {
    state.io.out(`hf shell ${VERSION}\n`);
    if (state.client === undefined) {
      state.io.out("Not connected\n");
      return;
    }
    const v = await state.client.version();
    state.io.out(
      `Controller ${state.client.authority}: ${v.version} (commit ${v.commitId}, deployment ${v.deploymentId}, server time ${v.serverTime})\n`,
    );
  },
};

const shutdown: ShellCommand = {
  name: "shutdown",
  summary: "stop the controller (--force also kills a run in progress)",
  args: [],
  options: [{ long: "force", description: "stop even while a run is in progress" }],
  async run(state, args) {
    const client = clientOf(state);
    const answer = await client.shutdown(args.options.force === true);
    if (state.local !== undefined && state.local.url === client.baseUrl) {
      await state.local.shutdown();
      state.local = undefined;
    }
    state.client = undefined;
    state.deploymentId = undefined;
    state.io.out(`${answer || "Shutting down"}\n`);
  },
};

const exit: ShellCommand = {
  name: "exit",
  aliases: ["quit"],
  summary: "leave the shell (a local controller stops too)",
  args: [],
  options: [],
  run(state) {
    state.exit = true;
    return Promise.resolve();
  },
};

export const CONTROLLER_COMMANDS: readonly ShellCommand[] = [
  connect,
  startLocal,
  version,
  shutdown,
  exit,
];
