/**
 * The cheap routes (`/`, `/hello`, `/json`) and the plain targets the shared
 * benchmark corpus requests (`/foo`, `/index.html`, `/api/fruits-normal`…).
 */
import type { Router } from "../router.ts";
import { APPLICATION_JSON, empty, preEncoded, TEXT_HTML, TEXT_PLAIN } from "../_respond.ts";

const hello = preEncoded("hello world\n", TEXT_PLAIN);

const jsonDocument = preEncoded(
  JSON.stringify({
    message: "hello world",
    server: "hf example-server",
    items: [
      { id: 1, name: "apple", price: 0.5 },
      { id: 2, name: "banana", price: 0.25 },
      { id: 3, name: "cherry", price: 3 },
    ],
  }),
  APPLICATION_JSON,
);

const indexHtml = preEncoded(
  "<!DOCTYPE html>\n<html><head><title>hf example server</title></head>" +
    "<body><h1>hello world</h1></body></html>\n",
  TEXT_HTML,
);

const fruits = preEncoded(
  JSON.stringify([
    { name: "Apple", description: "Winter fruit" },
    { name: "Pineapple", description: "Tropical fruit" },
    { name: "Strawberry", description: "Summer fruit" },
  ]),
  APPLICATION_JSON,
);

const ok = preEncoded("ok\n", TEXT_PLAIN);

export function addBasicRoutes(router: Router): void {
  router
    .add("/", () => hello())
    .add("/hello", () => hello())
    .add("/json", () => jsonDocument())
    // test-suite simple and start-with-delay count 204 responses of GET /foo; the PUT of
    // httpRequest(Parameterized) is valid in 201..210.
    .add("/foo", (req) => empty(req.method === "PUT" || req.method === "POST" ? 201 : 204))
    // examples/http-requests: POST /foo/bar, GET /foo/cats…
    .add("/foo/*", () => ok())
    // test-suite awaitDelay, examples/http-requests
    .add("/index.html", () => indexHtml())
    .add("/api/fruits-normal", () => fruits());
  // Further paths of examples/http-requests, more-servers and valid-authorities.
  for (const path of ["/cats", "/myform", "/secured/page", "/docs", "/path"]) {
    router.add(path, () => ok());
  }
}
