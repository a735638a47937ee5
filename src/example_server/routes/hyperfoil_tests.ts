/**
 * The routes of the test servers in Hyperfoil's own tests (EXPECTATIONS §2–§4):
 * redirects (FollowRedirectTest), an HTML page sent in two chunks with its
 * resources (EmbeddedResourcesTest, TagAttributeHandlerTest), gzip-only bodies
 * (CompressionTest), JSON round trip (JsonReplaceTest) and random-csv's echo API.
 * Every response carries `Cache-Control: no-store`, as upstream's do.
 */
import type { RouteContext, RouteHandler, Router } from "../router.ts";
import {
  acceptsGzip,
  gzip,
  json,
  pacedBody,
  text,
  TEXT_HTML,
  TEXT_PLAIN,
  utf8,
} from "../_respond.ts";

/** The header every FollowRedirectTest request carries; without it the answer is 500. */
export const PRESERVED_HEADER = "x-preserve";
export const PRESERVED_VALUE = "repeat me with redirect";
/** The body every redirect chain ends with. */
export const FINAL_BODY = "this is the response";
/** The body of `/short`, gzip-encoded. */
export const SHORT_MESSAGE = "Short message to be encoded.";
/** Length of `/long`'s random A–Z body. */
export const LONG_LENGTH = 10_000;
/** How long `/foobar/index.html` pauses between its two chunks. */
export const INDEX_CHUNK_GAP_MS = 100;

/**
 * The page of EmbeddedResourcesTest and TagAttributeHandlerTest in one: embedded
 * `../styles/style.css`, `stuff.js`, an external image and `/generate.php?foo=bar`,
 * an inline script with `<` and a comment to trip naive parsers, and two FORM
 * actions (`run_some.php`, `no_content.php`) plus a form without one.
 */
export const FOOBAR_HEAD = `<html>
<head>
    <title>Embedded resources</title>
    <link rel="stylesheet" href="../styles/style.css"/>
    <!-- A comment: the parser must skip it -->
    <script>if (1 < 2) { var page = "resources"; }</script>
    <script src="stuff.js" />
</head>
`;
export const FOOBAR_BODY = `<body>
    Some text <img src="http://imageshack.com/pic.png" alt="An external picture"/>
    <img src="/generate.php?foo=bar" alt="A generated picture"/>
    <form method="post" action="run_some.php">
        <input type="text" />
    </form>
    <form method="post">
        A form without an action
    </form>
    <FORM ACTION="no_content.php" />
</body>
</html>
`;

const foobarParts = [utf8(FOOBAR_HEAD), utf8(FOOBAR_BODY)];

export function addHyperfoilTestRoutes(router: Router): void {
  const add = (pattern: string, handler: RouteHandler) => router.add(pattern, noStore(handler));
  const somehow: RouteHandler = (req, ctx) =>
    (Math.random() < 0.5 ? viaLocation : viaHtml)(req, ctx);
  add("/redirectMeViaLocation", preserved(viaLocation));
  add("/redirectMeViaHtml", preserved(viaHtml));
  add("/redirectMeSomehow", preserved(somehow));
  add("/somewhereElse", preserved(() => text(FINAL_BODY)));
  add("/foobar/index.html", foobarIndex);
  add("/styles/style.css", resource("body { color: black; }\n", "text/css"));
  add("/foobar/stuff.js", resource("var stuff = 1;\n", "text/javascript"));
  add("/generate.php", resource("generated\n", "image/png"));
  add("/short", (req) => gzipOnly(req, SHORT_MESSAGE));
  add("/long", (req) => gzipOnly(req, randomLetters(LONG_LENGTH)));
  add("/get", () => json({ name: "John Doe", age: 33 }));
  add("/post", checkAge);
  add("/echo-api/*", echoApi);
}

function noStore(handler: RouteHandler): RouteHandler {
  const mark = (res: Response) => {
    res.headers.set("cache-control", "no-store");
    return res;
  };
  return (req, ctx) => {
    const res = handler(req, ctx);
    return res instanceof Response ? mark(res) : res.then(mark);
  };
}

/** FollowRedirectTest's server answers 500 to requests that lost the preserved header. */
function preserved(handler: RouteHandler): RouteHandler {
  return (req, ctx) =>
    req.headers.get(PRESERVED_HEADER) === PRESERVED_VALUE
      ? handler(req, ctx)
      : text(`Missing header '${PRESERVED_HEADER}: ${PRESERVED_VALUE}'\n`, 500);
}

type Outcome = "redirect" | "found" | "notFound";

/** Half redirect, a quarter the final answer, a quarter 404: counted for the test's sums. */
function outcome(ctx: RouteContext): Outcome {
  const r = Math.random();
  if (r < 0.5) {
    ctx.stats.count("redirects");
    return "redirect";
  }
  if (r < 0.75) return "found";
  ctx.stats.count("notFound");
  return "notFound";
}

/** With `allowRecurse=yes` half the redirects go to the same route again. */
function target(ctx: RouteContext): string {
  return ctx.query.get("allowRecurse") === "yes" && Math.random() < 0.5
    ? `${ctx.path}?allowRecurse=yes`
    : "/somewhereElse";
}

function viaLocation(_req: Request, ctx: RouteContext): Response {
  switch (outcome(ctx)) {
    case "redirect":
      return new Response(null, { status: 303, headers: { location: target(ctx) } });
    case "found":
      return text(FINAL_BODY);
    case "notFound":
      return text("Not Found (sort of)", 404);
  }
}

function viaHtml(_req: Request, ctx: RouteContext): Response {
  switch (outcome(ctx)) {
    case "redirect": {
      const delay = Math.random() < 0.5 ? 0 : 1;
      const refresh = `<meta http-equiv="refresh" content="${delay}; url=${target(ctx)}" />`;
      return text(`<html><head>${refresh}</head><body>Redirecting…</body></html>`, 200, {
        "content-type": TEXT_HTML,
      });
    }
    case "found":
      return text(FINAL_BODY);
    case "notFound":
      return text("Not Found (sort of)", 404);
  }
}

/** The page in two chunks split before `<body>`, as EmbeddedResourcesTest's server sends it. */
function foobarIndex(_req: Request, ctx: RouteContext): Response {
  return new Response(pacedBody(foobarParts, INDEX_CHUNK_GAP_MS, ctx.signal), {
    headers: { "content-type": TEXT_HTML },
  });
}

function resource(body: string, contentType: string): RouteHandler {
  return () => text(body, 200, { "content-type": contentType });
}

/** random-csv's target: the request line back as JSON. */
function echoApi(req: Request, ctx: RouteContext): Response {
  return json({ method: req.method, path: ctx.path, query: Object.fromEntries(ctx.query) });
}

/** CompressionTest's server: the body gzip-encoded, or 400 when the client does not accept gzip. */
async function gzipOnly(req: Request, body: string): Promise<Response> {
  if (!acceptsGzip(req)) return text("Expected 'Accept-Encoding: gzip'\n", 400);
  return new Response(await gzip(utf8(body)), {
    headers: { "content-type": TEXT_PLAIN, "content-encoding": "gzip" },
  });
}

function randomLetters(length: number): string {
  const letters = crypto.getRandomValues(new Uint8Array(length)).map((b) => 65 + (b % 26));
  return new TextDecoder().decode(letters);
}

/** JsonReplaceTest: the document of `/get` must come back with `age` incremented to 34. */
async function checkAge(req: Request): Promise<Response> {
  let age: unknown;
  try {
    age = (JSON.parse(await req.text()) as { age?: unknown } | null)?.age;
  } catch {
    return text("Invalid JSON body\n", 400);
  }
  return age === 34 ? text("ok\n") : text(`Expected age 34, got ${JSON.stringify(age)}\n`, 400);
}
