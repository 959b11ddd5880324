import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, describeDetail, onUnauthorized, setCsrfToken, witnessApi } from "./api";

function mockFetch(status: number, body: unknown) {
  const fn = vi.fn(async () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }));
  vi.stubGlobal("fetch", fn);
  return fn;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("api client", () => {
  it("sends the CSRF token on writes but not on reads", async () => {
    setCsrfToken("tok");
    const fn = mockFetch(200, { id: "c1" });
    await api.createCase({ reference: "R", title: "T" });
    await api.listCases({ q: "elm", status: "" });
    const [url1, init1] = fn.mock.calls[0] as unknown as [string, RequestInit];
    const [url2, init2] = fn.mock.calls[1] as unknown as [string, RequestInit];
    expect(url1).toBe("/api/cases");
    expect((init1.headers as Record<string, string>)["X-CSRF-Token"]).toBe("tok");
    expect(init1.body).toBe(JSON.stringify({ reference: "R", title: "T" }));
    expect(url2).toBe("/api/cases?q=elm");
    expect((init2.headers as Record<string, string>)["X-CSRF-Token"]).toBeUndefined();
  });

  it("stores the CSRF token from login", async () => {
    const fn = mockFetch(200, { user: { id: "u", username: "a", role: "admin" }, csrf_token: "fresh" });
    await api.login("a", "b");
    mockFetch(204, undefined);
    await api.logout().catch(() => undefined);
    expect(fn).toHaveBeenCalledOnce();
  });

  it("announces a 401 so the app can ask to sign in again", async () => {
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    mockFetch(401, { detail: "Not authenticated" });
    const err = await api.getCase("x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect((err as ApiError).message).toMatch(/expired/);
    expect(listener).toHaveBeenCalledOnce();
    // A failed login is not an expiry.
    await api.login("a", "wrong").catch(() => undefined);
    expect(listener).toHaveBeenCalledOnce();
    off();
  });

  it("turns server details into sentences", async () => {
    mockFetch(409, { detail: "Round 2 is still running" });
    const err = (await api.nextRound("s", { candidate_id: "c", rating: 5, feedback: "" }).catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(409);
    expect(err.message).toBe("Round 2 is still running");
    expect(describeDetail([{ loc: ["body", "reference"], msg: "Field required" }])).toBe("reference: Field required");
  });

  it("reports a network failure as status 0", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    const err = (await api.health().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(0);
    expect(err.message).toMatch(/Could not reach/);
  });

  it("uploads a mask as multipart with kind=mask", async () => {
    setCsrfToken("tok");
    const fn = mockFetch(201, { id: "up1" });
    const res = await api.uploadMask("case1", new Blob([new Uint8Array([1, 2])], { type: "image/png" }));
    expect(res.id).toBe("up1");
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/cases/case1/uploads");
    const form = init.body as FormData;
    expect(form.get("kind")).toBe("mask");
    expect(form.get("file")).toBeInstanceOf(Blob);
    expect((init.headers as Record<string, string>)["Content-Type"]).toBeUndefined();
  });

  it("sends the region and mask with the next round and shows a refusal once, without retrying", async () => {
    const fn = mockFetch(201, { id: "s", rounds: [] });
    await api.nextRound("s", { candidate_id: "c", rating: 5, feedback: "", region: "nose", mask_upload_id: "m" });
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/sessions/s/rounds");
    expect(JSON.parse(String(init.body))).toMatchObject({ region: "nose", mask_upload_id: "m" });
    const refused = mockFetch(422, { detail: "region: no face found in the picked candidate" });
    await expect(api.nextRound("s", { candidate_id: "c", rating: 5, feedback: "", region: "nose" })).rejects.toThrow("no face found");
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it("creates and revokes witness links for a session", async () => {
    setCsrfToken("tok");
    const fn = mockFetch(201, { id: "l1", url: "http://x/w#t", expires_at: "2025-01-01T00:15:00Z" });
    await api.createWitnessLink("s1", 15);
    mockFetch(204, undefined);
    await api.revokeWitnessLink("s1", "l1");
    const [url, init] = fn.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/sessions/s1/witness-link");
    expect(init.method).toBe("POST");
    expect(init.body).toBe(JSON.stringify({ minutes: 15 }));
    const revoke = (globalThis.fetch as unknown as { mock: { calls: [string, RequestInit][] } }).mock.calls[0]!;
    expect(revoke[0]).toBe("/api/sessions/s1/witness-link/l1");
    expect(revoke[1].method).toBe("DELETE");
  });

  it("uploads a reference as multipart with kind=reference", async () => {
    const fn = mockFetch(201, { id: "ref1" });
    await api.uploadReference("case1", new File([new Uint8Array([1])], "face.jpg", { type: "image/jpeg" }));
    const form = (fn.mock.calls[0] as unknown as [string, RequestInit])[1].body as FormData;
    expect(form.get("kind")).toBe("reference");
    expect((form.get("file") as File).name).toBe("face.jpg");
  });

  it("speaks for a witness link with the link's own CSRF token, and never as the signed-in user", async () => {
    setCsrfToken("artist-token");
    const listener = vi.fn();
    const off = onUnauthorized(listener);
    const fn = mockFetch(201, { session_id: "s", rounds: [] });
    await witnessApi.exchange("t".repeat(43));
    await witnessApi.pick("link-token", { candidate_id: "c", rating: 4, feedback: "older" });
    await witnessApi.shown("link-token", "c");
    const headers = fn.mock.calls.map((c) => ((c as unknown as [string, RequestInit])[1].headers as Record<string, string>)["X-CSRF-Token"]);
    expect(headers).toEqual([undefined, "link-token", "link-token"]);
    expect(fn.mock.calls.map((c) => (c as unknown as [string])[0])).toEqual(["/api/witness/exchange", "/api/witness/rounds", "/api/witness/shown"]);
    // A used or expired link is not "your session expired": no sign-in dialog on the witness's device.
    mockFetch(401, { detail: "this witness link has expired" });
    const err = (await witnessApi.session().catch((e: unknown) => e)) as ApiError;
    expect(err.status).toBe(401);
    expect(listener).not.toHaveBeenCalled();
    off();
  });
});
