/**
 * `/admin/…`: control of the server by tests over HTTP. Admin requests are
 * neither counted nor stalled.
 */
import type { RouteContext, Router } from "../router.ts";
import { badRequest, json } from "../_respond.ts";

export function addAdminRoutes(router: Router): void {
  const admin = { admin: true };
  router
    .add("/admin/stats", (_req, ctx) => json(ctx.stats.snapshot()), {
      ...admin,
      methods: ["GET"],
    })
    .add("/admin/reset", (_req, ctx) => {
      ctx.stats.reset();
      return json(ctx.stats.snapshot());
    }, { ...admin, methods: ["POST"] })
    .add("/admin/stall", stall, { ...admin, methods: ["POST", "DELETE"] });
}

/**
 * `POST /admin/stall?ms=M[&after=A]`: responses ready between A and A+M ms from
 * now wait for the window's end. `DELETE /admin/stall` cancels every window.
 */
function stall(req: Request, ctx: RouteContext): Response {
  if (req.method === "DELETE") {
    ctx.stall.clear();
    return json({ cleared: true });
  }
  const ms = Number(ctx.query.get("ms"));
  const after = Number(ctx.query.get("after") ?? "0");
  if (!Number.isFinite(ms) || ms < 0 || !ctx.query.has("ms")) {
    return badRequest(`Invalid stall 'ms=${ctx.query.get("ms")}': expected a duration in ms`);
  }
  if (!Number.isFinite(after) || after < 0) {
    return badRequest(`Invalid stall 'after=${ctx.query.get("after")}': expected a delay in ms`);
  }
  ctx.stall.stall(ms, after);
  return json({ stallMs: ms, afterMs: after });
}
