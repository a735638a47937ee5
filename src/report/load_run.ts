/**
 * Finds a run's `all.json` from what a user types: a run directory, the
 * all.json file itself, or a run id under `${root}/run/`.
 * @module
 */
import { readRunDocument, type RunDocument } from "./run_document.ts";

/** The run or its all.json could not be found or read. */
export class RunLoadError extends Error {
  override name = "RunLoadError";
}

export interface LoadedRun {
  /** The run directory. */
  dir: string;
  /** The parsed all.json as it is on disk. */
  all: unknown;
  /** The same, checked and typed. */
  doc: RunDocument;
}

const RUN_ID = /^[0-9A-Fa-f]{4,}$/;

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw e;
  }
}

/** The all.json path `runDirOrId` names; throws {@link RunLoadError} when there is none. */
export async function resolveAllJson(runDirOrId: string, root: string): Promise<string> {
  const info = await statOrUndefined(runDirOrId);
  if (info?.isFile) return runDirOrId;
  let dir: string;
  if (info?.isDirectory) dir = runDirOrId;
  else if (RUN_ID.test(runDirOrId)) {
    dir = `${root}/run/${runDirOrId.toUpperCase()}`;
    if (!(await statOrUndefined(dir))?.isDirectory) {
      throw new RunLoadError(`No run '${runDirOrId}' under '${root}/run'`);
    }
  } else {
    throw new RunLoadError(
      `'${runDirOrId}' is neither a run directory, an all.json file nor a run id (like 0001)`,
    );
  }
  const path = `${dir.replace(/\/+$/, "")}/all.json`;
  if (!(await statOrUndefined(path))?.isFile) {
    throw new RunLoadError(
      `'${dir}' has no all.json: the run is still going, was cut short or is not a run directory`,
    );
  }
  return path;
}

/** Reads and checks the all.json of a run directory, all.json file or run id under `root`. */
export async function loadRunForReport(runDirOrId: string, root: string): Promise<LoadedRun> {
  const path = await resolveAllJson(runDirOrId, root);
  let all: unknown;
  try {
    all = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new RunLoadError(`Cannot read '${path}': ${why}`, { cause: e });
  }
  const slash = path.lastIndexOf("/");
  return {
    dir: slash < 0 ? "." : path.slice(0, slash) || "/",
    all,
    doc: readRunDocument(all, path),
  };
}
