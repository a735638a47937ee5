/**
 * The HTTP layer: per-endpoint clients over the own HTTP/1.1 engine
 * (connection pools, byte-template requests, an incremental response parser,
 * TLS) or over `fetch` for HTTP/2. It knows nothing of the layers above.
 *
 * @module
 */
export type {
  ConnectionWaiter,
  HttpClient,
  HttpClientOptions,
  HttpClientStats,
  HttpConnection,
  HttpErrorKind,
  HttpRequest,
  ResponseHandlers,
} from "./http_client.ts";
export { HttpError } from "./http_client.ts";
export {
  createClient,
  type CreateClientOptions,
  type HttpEngine,
  selectEngine,
} from "./create_client.ts";
export { ConnectionPool, type ConnectionPoolOptions } from "./connection_pool.ts";
export { FetchClient } from "./fetch_engine.ts";
export {
  type CompressionType,
  hostHeader,
  RequestTemplate,
  type RequestTemplateOptions,
} from "./request_template.ts";
export { endpointFromUrl } from "./endpoint.ts";
export { decodeUtf8, equalsIgnoreCase, latin1 } from "./_bytes.ts";
export { nowNs } from "./time.ts";
