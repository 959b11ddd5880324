import { StrictMode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { AuthProvider } from "../auth";
import { WitnessLinkPage } from "./WitnessLinkPage";
import { LINK_ENDED, SESSION_ENDED } from "../lib/witnessLink";
import type { WitnessView } from "../api";

const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

function view(over: Partial<WitnessView> = {}): WitnessView {
  return {
    session_id: "s1",
    status: "active",
    expires_at: new Date(Date.now() + 15 * 60_000).toISOString(),
    csrf_token: "link-csrf",
    rounds: [
      {
        index: 1,
        status: "succeeded",
        model: "img2img",
        step: 4,
        total_steps: 4,
        candidates: [0, 1, 2, 3].map((i) => ({ id: `c${i}`, index: i, image_url: `/api/witness/images/c${i}` })),
      },
    ],
    ...over,
  };
}

type Handler = (url: string, init: RequestInit) => { status: number; body?: unknown };

function serve(handler: Handler) {
  const fn = vi.fn(async (url: string, init: RequestInit = {}) => {
    const { status, body } = handler(url, init);
    return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  vi.stubGlobal("fetch", fn);
  return fn;
}

function calls(fn: ReturnType<typeof serve>, path: string) {
  return fn.mock.calls.filter(([url]) => url === path).map(([, init]) => init as RequestInit);
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, "", "/");
});

describe("<WitnessLinkPage>", () => {
  it("drops the token from the address, trades it once, shows the faces and sends the pick", async () => {
    window.history.replaceState(null, "", `/w#${TOKEN}`);
    const fn = serve((url, init) => {
      if (url === "/api/auth/me") return { status: 401, body: { detail: "not signed in" } };
      if (url === "/api/witness/exchange") return { status: 200, body: view() };
      if (url === "/api/witness/shown") return { status: 204 };
      if (url === "/api/witness/rounds") {
        const r2 = { index: 2, status: "queued" as const, model: "img2img" as const, step: 0, total_steps: 4, candidates: [] };
        return { status: 201, body: view({ rounds: [...view().rounds, r2] }) };
      }
      return { status: 404, body: { detail: `unexpected ${init.method ?? "GET"} ${url}` } };
    });
    // StrictMode runs effects twice (as main.tsx does in development): the token is still traded once.
    render(
      <StrictMode>
        <AuthProvider>
          <WitnessLinkPage />
        </AuthProvider>
      </StrictMode>,
    );
    expect(window.location.pathname).toBe("/w");
    expect(window.location.hash).toBe("");
    expect(await screen.findByRole("heading", { name: "Which face is closest to the person you saw?" })).toBeTruthy();
    const exchanges = calls(fn, "/api/witness/exchange");
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.body).toBe(JSON.stringify({ token: TOKEN }));
    expect(screen.getAllByRole("option")).toHaveLength(4);
    await waitFor(() => expect(calls(fn, "/api/witness/shown")).toHaveLength(4));
    // No region on a link's pick: the server takes face, rating and words.
    expect(screen.queryByRole("group", { name: "Region to change" })).toBeNull();

    fireEvent.click(screen.getByRole("option", { name: "Face 2" }));
    fireEvent.click(screen.getByRole("radio", { name: "Rating 7 of 10" }));
    fireEvent.change(screen.getByLabelText("What should be different?"), { target: { value: "  thinner face " } });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: "Show me new faces" }));
    });
    const picks = calls(fn, "/api/witness/rounds");
    expect(picks).toHaveLength(1);
    expect(JSON.parse(String(picks[0]!.body))).toEqual({ candidate_id: "c1", rating: 7, feedback: "thinner face" });
    expect((picks[0]!.headers as Record<string, string>)["X-CSRF-Token"]).toBe("link-csrf");
    expect(await screen.findByRole("heading", { name: "Drawing new faces…" })).toBeTruthy();
  });

  it("says the link is used up when neither the token nor a cookie opens it", async () => {
    window.history.replaceState(null, "", `/w#${TOKEN}`);
    const fn = serve(() => ({ status: 401, body: { detail: "this witness link has expired, was revoked or was already opened" } }));
    render(
      <AuthProvider>
        <WitnessLinkPage />
      </AuthProvider>,
    );
    expect(await screen.findByRole("heading", { name: LINK_ENDED })).toBeTruthy();
    expect(window.location.hash).toBe("");
    // The spent token was tried once, then this device's cookie.
    expect(calls(fn, "/api/witness/exchange")).toHaveLength(1);
    expect(calls(fn, "/api/witness/session")).toHaveLength(1);
  });

  it("opens with the cookie alone after a reload of /w", async () => {
    window.history.replaceState(null, "", "/w");
    const fn = serve((url) => (url === "/api/witness/session" ? { status: 200, body: view({ status: "approved" }) } : { status: 401 }));
    render(
      <AuthProvider>
        <WitnessLinkPage />
      </AuthProvider>,
    );
    expect(await screen.findByRole("heading", { name: "Thank you" })).toBeTruthy();
    expect(calls(fn, "/api/witness/exchange")).toHaveLength(0);
  });

  it("says the session has ended, with no faces, once the server answers ended", async () => {
    window.history.replaceState(null, "", "/w");
    serve((url) => (url === "/api/witness/session" ? { status: 200, body: view({ status: "approved", rounds: [], ended: true }) } : { status: 401 }));
    render(
      <AuthProvider>
        <WitnessLinkPage />
      </AuthProvider>,
    );
    expect(await screen.findByRole("heading", { name: SESSION_ENDED })).toBeTruthy();
    expect(screen.queryAllByRole("option")).toHaveLength(0);
  });

  it("shows the composite notice beside every face", async () => {
    window.history.replaceState(null, "", "/w");
    serve((url) => (url === "/api/witness/session" ? { status: 200, body: view() } : url === "/api/witness/shown" ? { status: 204 } : { status: 401 }));
    render(
      <AuthProvider>
        <WitnessLinkPage />
      </AuthProvider>,
    );
    const faces = await screen.findAllByRole("option");
    expect(faces).toHaveLength(4);
    for (const face of faces) expect(face.textContent).toContain("Composite — not a photograph");
  });
});
