/** The version of hf, from deno.json so there is a single place to bump it. */
import config from "../../deno.json" with { type: "json" };

export const VERSION: string = config.version;
