/**
 * The built-in example server (`hf example-server`): cheap hello-world routes,
 * the mock routes Hyperfoil's examples and tests need, knobs for tests
 * (`/delay`, `/status/NNN`, `/bytes/N`, `/redirect`, `/echo`, `/chunked`,
 * `/gzip`, cookies) and a stall switch for the honest-latency test.
 *
 * @module
 */
export { type ExampleServer, type ExampleServerOptions, startExampleServer } from "./server.ts";
export type { ExampleServerStats } from "./request_stats.ts";
