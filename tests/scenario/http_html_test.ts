/**
 * `parseHtml`: the incremental scanner on its own, and embedded resources and
 * tag attributes end to end (Hyperfoil's EmbeddedResourcesTest and
 * TagAttributeHandlerTest, pointed at a local server).
 */
import assert from "node:assert/strict";
import { HtmlScanner } from "../../src/scenario/steps/http_html.ts";
import { benchYaml, load, run, serve, sleep } from "./http_harness_test.ts";

const INDEX = `<html>
<head>
    <link href="../styles/style.css"/>
    <!-- Let's have some comment in here -->
    <script>Here is some Javascript with < but that should be ignored</script>
    <script src="stuff.js" />
</head>
<body>
    Free form text <img src="http://imageshack.com/pic.png" alt="Some pic"/>
    <img src="/generate.php?foo=bar" alt="Generated pic"/>
</body>
</html>`;

function scan(html: string, rules: { tag: string; attr: string }[], pieces = 1): string[] {
  const scanner = new HtmlScanner(rules);
  const found: string[] = [];
  const bytes = new TextEncoder().encode(html);
  const size = Math.ceil(bytes.length / pieces);
  for (let i = 0; i < bytes.length; i += size) {
    scanner.feed(bytes, i, Math.min(bytes.length, i + size), {
      attribute: (rule, buf, len) =>
        found.push(
          `${rules[rule].tag}.${rules[rule].attr}=${
            new TextDecoder().decode(buf.subarray(0, len))
          }`,
        ),
    });
  }
  return found;
}

Deno.test("the HTML scanner skips comments and script text, whatever the chunking", () => {
  const rules = [
    { tag: "img", attr: "src" },
    { tag: "link", attr: "href" },
    { tag: "script", attr: "src" },
  ];
  const expected = [
    "link.href=../styles/style.css",
    "script.src=stuff.js",
    "img.src=http://imageshack.com/pic.png",
    "img.src=/generate.php?foo=bar",
  ];
  const html = INDEX.replace("<!--", "<!-- <img src='in-comment.png'> ");
  for (const pieces of [1, 2, 7, html.length]) {
    assert.deepEqual(scan(html, rules, pieces), expected);
  }
});

Deno.test("the HTML scanner matches names in any case and reads all quoting styles", () => {
  const html = `<FORM ACTION=run.php><form method=post action='a b.php' /><Form
    data-x="y" action = "c.php"></form><form action></form>
    <style>p > a { x: "<form action='no.php'>" }</style><form action="last.php">`;
  assert.deepEqual(scan(html, [{ tag: "form", attr: "action" }], 3), [
    "form.action=run.php",
    "form.action=a b.php",
    "form.action=c.php",
    "form.action=last.php",
  ]);
});

function chunkedIndex(html: string, gapMs: number): Response {
  const cut = html.indexOf("<body>");
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(enc.encode(html.slice(0, cut)));
      await sleep(gapMs);
      controller.enqueue(enc.encode(html.slice(cut)));
      controller.close();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/html", "cache-control": "no-store" },
  });
}

Deno.test("embedded resources are fetched three ways with Hyperfoil's metrics", async () => {
  await using server = serve((_req, url) =>
    url.pathname === "/foobar/index.html"
      ? chunkedIndex(INDEX, 20)
      : new Response(url.pathname.endsWith(".php") ? "" : "x", {
        status:
          ["/styles/style.css", "/foobar/../styles/style.css", "/foobar/stuff.js", "/generate.php"]
              .includes(url.pathname)
            ? 200
            : 404,
        headers: { "cache-control": "no-store" },
      })
  );
  const yaml = benchYaml({
    http: "sharedConnections: 17",
    scenario: `
      orderedSequences:
      - manual:
        - httpRequest:
            GET: /foobar/index.html
            handler:
              body:
                parseHtml:
                  onEmbeddedResource:
                    ignoreExternal: true
                    processor:
                    - queue:
                        var: downloadQueue
                        maxSize: 4
                        concurrency: 2
                        sequence: embeddedResource
                        onCompletion:
                          set: allFetched <- true
        - awaitVar: allFetched
      - automatic:
        - unset: allFetched
        - httpRequest:
            GET: /foobar/index.html
            handler:
              body:
                parseHtml:
                  onEmbeddedResource:
                    fetchResource:
                      maxResources: 16
                      metric:
                      - ([^?]*)(\\?.*)? -> $1
                      onCompletion:
                        set: allFetched <- true
        - awaitVar: allFetched
      - legacy:
        - setInt: completionLatch <- 0
        - httpRequest:
            GET: /foobar/index.html
            handler:
              body:
                parseHtml:
                  onEmbeddedResource:
                    ignoreExternal: true
                    processor:
                    - addToInt: completionLatch += 1
                    - array: downloadUrl[16]
                    - newSequence: legacyEmbeddedResource
        - awaitInt:
            var: completionLatch
            equalTo: 0
      sequences:
      - embeddedResource[2]:
        - httpRequest:
            GET:
              fromVar: downloadQueue[.]
            metric:
            - .*.js
            - .*.ico
            - .*.css
            - (.*.php).* -> $1
            - -> other
      - legacyEmbeddedResource[16]:
        - httpRequest:
            GET:
              fromVar: downloadUrl[.]
            metric:
            - .*.js
            - .*.ico
            - .*.css
            - (.*.php).* -> $1
            - -> other
            handler:
              onCompletion:
              - unset: downloadUrl[.]
              - addToInt: completionLatch -= 1
    `,
  });
  const r = await run(load(yaml, server.port));
  assert.deepEqual(r.failures, []);
  assert.equal(r.metrics.length, 6, r.metrics.join(", "));
  for (const m of ["manual", "automatic", "legacy"]) {
    assert.equal(r.stats(m).requestCount, 1, m);
    assert.equal(r.stats(m).status2xx, 1, m);
  }
  for (const suffix of [".css", ".js", ".php"]) {
    const m = r.metrics.find((x) => x.endsWith(suffix))!;
    assert.ok(m, `a metric ending in ${suffix}`);
    assert.equal(r.stats(m).requestCount, 3, m);
    assert.equal(r.stats(m).status2xx, 3, m);
  }
  assert.equal(r.metrics.find((x) => x.endsWith(".css")), "/foobar/../styles/style.css");
  assert.equal(server.hits.get("/pic.png"), undefined, "external resources are ignored");
});

Deno.test("fetchResource without metric rules names downloads by path and runs onCompletion once", async () => {
  await using server = serve((_req, url) =>
    url.pathname === "/page.html"
      ? new Response(
        `<p><IMG SRC="a.png"><img src='/b.png'><img src="data:image/png;base64,xx"></p>`,
        {
          headers: { "cache-control": "no-store" },
        },
      )
      : new Response("img", { headers: { "cache-control": "no-store" } })
  );
  const r = await run(load(
    benchYaml({
      scenario: `
        - main:
          - httpRequest:
              GET: /page.html
              handler:
                body:
                  parseHtml:
                    onEmbeddedResource:
                      fetchResource:
                        maxResources: 4
                        concurrency: 1
                        onCompletion:
                        - addToInt: { var: completions, value: 1, orElseSetTo: 1 }
          - awaitVar: completions
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.deepEqual(r.metrics, ["/a.png", "/b.png", "main"]);
  assert.equal(r.v("completions"), 1);
});

Deno.test("onTagAttribute collects FORM actions into an array, ignoring case", async () => {
  const html = `<html>
<head>
</head>
<body>
    <form method="post" action="run_some.php">
        <input type="text" />
    </form>
    <form method="post">
        This is another form
    </form>
    <FORM ACTION="no_content.php" />
</body>
</html>`;
  await using server = serve(() => chunkedIndex(html, 10));
  const r = await run(load(
    benchYaml({
      scenario: `
        - test:
          - httpRequest:
              GET: /foobar/index.html
              handler:
                body:
                  parseHtml:
                    onTagAttribute:
                      tag: FORM
                      attribute: action
                      toArray: actions[3]
          - getSize:
              fromVar: actions
              toVar: length
          - fail:
              intCondition:
                fromVar: length
                notEqualTo: 2
          - getItem: { fromVar: actions, index: 0, toVar: first }
          - getItem: { fromVar: actions, index: 1, toVar: second }
      `,
    }),
    server.port,
  ));
  assert.deepEqual(r.failures, []);
  assert.equal(String(r.v("first")), "run_some.php");
  assert.equal(String(r.v("second")), "no_content.php");
});
