import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { AuthProvider } from "../../auth";
import { AdminAuditPage } from "./AdminAuditPage";
import { setCsrfToken, type AuditEvent, type User } from "../../api";

const ALICE: User = { id: "u1", username: "alice", role: "admin", active: true, locked: false, created_at: "2024-01-02T10:00:00Z" };

const ev = (id: number, action: string): AuditEvent => ({
  id,
  at: `2026-12-01T10:${String(id).padStart(2, "0")}:00Z`,
  actor: "alice",
  role: "admin",
  source: "web",
  case_id: null,
  action,
  entity_type: null,
  entity_id: null,
  outcome: "success",
  details: {},
  hash: "h",
});

/** The trail: newest first, `limit` per page, the next page's cursor in X-Next-Cursor. */
function serve(trail: AuditEvent[]) {
  const fn = vi.fn(async (url: string) => {
    const u = new URL(url, "http://x");
    let body: unknown = { detail: `unexpected ${url}` };
    let status = 200;
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (u.pathname === "/api/auth/me") body = { user: ALICE, csrf_token: "csrf-1" };
    else if (u.pathname === "/api/cases") body = [];
    else if (u.pathname === "/api/audit/verify")
      body = { ok: false, events: 12, first_bad: 7, reason: "event 7 is missing, or does not link or hash" };
    else if (u.pathname === "/api/audit") {
      const action = u.searchParams.get("action") ?? "";
      const cursor = Number(u.searchParams.get("cursor") ?? Infinity);
      const limit = Number(u.searchParams.get("limit"));
      const match = trail.filter((e) => e.id < cursor && (action.endsWith(".*") ? e.action.startsWith(action.slice(0, -1)) : !action || e.action === action));
      body = match.slice(0, limit);
      if (match.length > limit) headers["X-Next-Cursor"] = String(match[limit - 1]!.id);
    } else status = 404;
    return new Response(JSON.stringify(body), { status, headers });
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}

const auditCalls = (fn: ReturnType<typeof serve>) =>
  fn.mock.calls.map(([url]) => new URL(url, "http://x")).filter((u) => u.pathname === "/api/audit");

function renderPage(path: string) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <AuthProvider>
        <AdminAuditPage />
      </AuthProvider>
    </MemoryRouter>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("<AdminAuditPage>", () => {
  const TRAIL = [5, 4, 3, 2, 1].map((id) => ev(id, id % 2 ? "round.create" : "case.create"));

  it("pages back with the server's cursor until the last page", async () => {
    const fn = serve(TRAIL);
    renderPage("/admin/audit?limit=2");
    const timeline = await screen.findByRole("list", { name: "Audit timeline" });
    expect(within(timeline).getAllByRole("listitem").filter((li) => li.classList.contains("timeline-item"))).toHaveLength(2);
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Older events" }));
    });
    await waitFor(() => expect(screen.getByTestId("audit-count").textContent).toContain("4 events shown"));
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Older events" }));
    });
    await waitFor(() => expect(screen.getByTestId("audit-count").textContent).toContain("5 events shown"));
    expect(screen.queryByRole("button", { name: "Older events" })).toBeNull();
    expect(screen.getByTestId("audit-count").textContent).toContain("that is everything");
    expect(auditCalls(fn).map((u) => u.searchParams.get("cursor"))).toEqual([null, "4", "2"]);
  });

  it("sends the action pattern to the server and starts again from the newest page", async () => {
    const fn = serve(TRAIL);
    renderPage("/admin/audit?limit=2");
    await screen.findByRole("list", { name: "Audit timeline" });
    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "round.*" } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    });
    await waitFor(() => expect(auditCalls(fn).at(-1)!.searchParams.get("action")).toBe("round.*"));
    expect(auditCalls(fn).at(-1)!.searchParams.get("cursor")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("audit-count").textContent).toContain("2 events shown"));
    expect(screen.getByRole("list", { name: "Audit timeline" }).textContent).not.toContain("Case create");
  });

  it("refuses a pattern it cannot send, saying what to fix", async () => {
    const fn = serve(TRAIL);
    renderPage("/admin/audit");
    await screen.findByRole("list", { name: "Audit timeline" });
    const before = auditCalls(fn).length;
    fireEvent.change(screen.getByLabelText("Action"), { target: { value: "ro*nd" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
    expect(screen.getByText(/may only end in “\.\*”/)).toBeTruthy();
    expect(auditCalls(fn)).toHaveLength(before);
  });

  it("names the first bad event when the chain is broken", async () => {
    serve(TRAIL);
    renderPage("/admin/audit");
    const status = await screen.findByTestId("chain-status");
    expect(status.getAttribute("role")).toBe("alert");
    expect(status.textContent).toContain("Chain broken at event #7 (12 events checked)");
    expect(status.textContent).toContain("Event 7 is missing");
  });
});
