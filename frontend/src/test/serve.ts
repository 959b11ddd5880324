/** A fetch stub for page and component tests: a signed-in user, then the test's own answers. */
import { vi } from "vitest";

type Role = "admin" | "artist";
type Answer = { status: number; body?: unknown };
type Handler = (url: string, init: RequestInit) => Answer | undefined;

/** Stubs the global fetch: `/api/auth/me` answers `role`, `fixed` answers a GET by exact URL, then `handler`;
 * anything else is a 404 that names the request, so a test sees what it forgot to serve. */
export function serve(role: Role, handler: Handler, fixed: Record<string, unknown> = {}) {
  const me = { user: { id: "u1", username: role === "admin" ? "boss" : "artie", role }, csrf_token: "csrf-1" };
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const answer: Answer =
      url === "/api/auth/me"
        ? { status: 200, body: me }
        : (init.method ?? "GET") === "GET" && url in fixed
          ? { status: 200, body: fixed[url] }
          : (handler(url, init) ?? { status: 404, body: { detail: `unexpected ${init.method ?? "GET"} ${url}` } });
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}

/** The JSON bodies of the calls `fn` saw with `method` to exactly `path`. */
export function bodies(fn: ReturnType<typeof serve>, method: string, path: string): unknown[] {
  return fn.mock.calls
    .filter(([url, init]) => url === path && init?.method === method)
    .map(([, init]) => JSON.parse(String(init?.body)));
}
