/**
 * Extension point: add a step, action or processor to a registry before
 * loading benchmarks that use it.
 */
import type { Kind, Registry } from "./registry.ts";
import type { Shape } from "./shape.ts";

/**
 * Registers `name` as a step (default), action or processor loaded by `shape`,
 * and returns the registry for chaining. The loaded record is `{ type: name, ...props }`.
 *
 * Throws a `TypeError` when the name is already registered as that kind, so an
 * extension cannot silently replace a built-in.
 *
 * @example
 * ```ts
 * const registry = registerStep(defaultRegistry(), "ping", obj({ host: str() }, { required: ["host"] }));
 * const benchmark = loadBenchmark(source, { registry });
 * ```
 */
export function registerStep<T extends Record<string, unknown>>(
  registry: Registry,
  name: string,
  shape: Shape<T>,
  kind: Kind = "step",
): Registry {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(name)) {
    throw new TypeError(`Invalid ${kind} name '${name}': expected letters, digits, '-' or '_'`);
  }
  const table = kind === "step"
    ? registry.steps
    : kind === "action"
    ? registry.actions
    : registry.processors;
  if (table.has(name)) throw new TypeError(`The ${kind} '${name}' is already registered`);
  table.set(name, shape);
  return registry;
}
