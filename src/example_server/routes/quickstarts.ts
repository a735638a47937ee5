/**
 * The mock routes of Hyperfoil's quickstarts under `/quickstarts/` that the
 * example benchmarks eshop*, choose-movie and random-urls request
 * (EXPECTATIONS §6).
 */
import type { RouteContext, Router } from "../router.ts";
import { APPLICATION_JSON, json, preEncoded, text, TEXT_PLAIN } from "../_respond.ts";

/** The eshop catalogue: `.[].id` gives 418, 420 and 450. */
export const ESHOP_ITEMS = [
  { id: 418, name: "Teapot", price: 19.99, stock: 12 },
  { id: 420, name: "Garden hose", price: 24.5, stock: 40 },
  { id: 450, name: "Rain boots", price: 39, stock: 7 },
] as const;

/** The movies of choose-movie; only those below quality 80 get comments. */
export const MOVIES = [
  { name: "Snakes on a Plane", quality: 73 },
  { name: "The Matrix", quality: 89 },
  { name: "Leon: The Professional", quality: 87 },
  { name: "Plan 9 from Outer Space", quality: 8 },
] as const;

const movieNames = new Set<string>(MOVIES.map((m) => m.name));
const items = preEncoded(JSON.stringify(ESHOP_ITEMS), APPLICATION_JSON);
const movies = preEncoded(JSON.stringify(MOVIES), APPLICATION_JSON);
const ok = preEncoded("ok\n", TEXT_PLAIN);
const png = preEncoded("not really a png\n", "image/png");
const randomIndex = preEncoded(
  "<!DOCTYPE html>\n<html><body>random-urls index</body></html>\n",
  "text/html; charset=utf-8",
);

export function addQuickstartRoutes(router: Router): void {
  const eshop = "/quickstarts/eshop/items";
  const movie = "/quickstarts/choose-movie";
  router
    .add(eshop, () => items(), { methods: ["GET"] })
    .add(`${eshop}/:id/buy`, () => ok(), { methods: ["POST"] })
    .add(`${eshop}/:id/restock`, () => ok(), { methods: ["POST"] })
    .add(`${movie}/profile`, profile, { methods: ["GET"] })
    .add(`${movie}/movies`, () => movies(), { methods: ["GET"] })
    .add(`${movie}/movie/:name/comments`, knownMovie, { methods: ["POST"] })
    .add(`${movie}/movie/:name/watch`, knownMovie, { methods: ["GET"] })
    .add("/quickstarts/random-urls/index.html", () => randomIndex())
    .add("/quickstarts/random-urls/foo.png", () => png())
    // A 300 among the images, as in the quickstart's mock server.
    .add("/quickstarts/random-urls/bar.png", () => png(300))
    .add("/quickstarts/random-urls/*", () => text("Not Found\n", 404));
}

function profile(_req: Request, ctx: RouteContext): Response {
  const user = ctx.query.get("user") ?? "anonymous";
  return json({ user, fullName: user.replace(/^./, (c) => c.toUpperCase()), favorites: 3 });
}

/** The movie routes answer 200 for the four movies and 404 for any other (mis-encoded) name. */
function knownMovie(_req: Request, ctx: RouteContext): Response {
  // Form-style encoders (Java's URLEncoder, Hyperfoil's `urlencode`) write spaces as '+'.
  const name = ctx.params.name.replace(/\+/g, " ");
  return movieNames.has(name) ? ok() : text(`Unknown movie '${name}'\n`, 404);
}
