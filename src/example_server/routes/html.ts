/**
 * `/html`: a page with embedded resources (stylesheet, script, image), and the
 * `/static/…` files it references, for parseHtml and fetchResource demos.
 */
import type { Router } from "../router.ts";
import { preEncoded, TEXT_HTML } from "../_respond.ts";

/** The resources `/html` embeds, as the page writes them (one of them relative). */
export const HTML_RESOURCES = ["/static/style.css", "static/app.js", "/static/logo.png"] as const;

const page = preEncoded(
  `<!DOCTYPE html>
<html>
<head>
  <title>hf example server</title>
  <link rel="stylesheet" href="${HTML_RESOURCES[0]}">
  <script src="${HTML_RESOURCES[1]}"></script>
</head>
<body>
  <h1>hello world</h1>
  <img src="${HTML_RESOURCES[2]}" alt="logo">
  <p><a href="/hello">a link, not an embedded resource</a></p>
</body>
</html>
`,
  TEXT_HTML,
);

const style = preEncoded("body { font-family: sans-serif; }\n", "text/css; charset=utf-8");
const script = preEncoded(
  'document.title = "hf example server";\n',
  "text/javascript; charset=utf-8",
);
// A 1×1 transparent PNG.
const logo = preEncoded(
  Uint8Array.from(
    atob(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
    ),
    (c) => c.charCodeAt(0),
  ),
  "image/png",
);

export function addHtmlRoutes(router: Router): void {
  router
    .add("/html", () => page())
    .add("/static/style.css", () => style())
    .add("/static/app.js", () => script())
    .add("/static/logo.png", () => logo());
}
