import { describe, expect, it } from "vitest";
import type { AuditEvent, AuditVerify } from "../api";
import {
  chainSummary,
  filterProblem,
  filtersFromParams,
  filtersToParams,
  matchesText,
  mergePages,
  PAGE_SIZE,
  toAuditQuery,
  utcStamp,
} from "./auditQuery";

const ev = (id: number, action = "case.create", actor = "alice"): AuditEvent => ({
  id,
  at: "2026-12-01T10:00:00Z",
  actor,
  role: "admin",
  source: "web",
  case_id: null,
  action,
  entity_type: "case",
  entity_id: null,
  outcome: "success",
  details: {},
  hash: "h",
});

const VERIFY: AuditVerify = { ok: true, events: 1204, first_bad: null };

describe("audit filters", () => {
  it("reads the URL, ignoring malformed days and capping the page size", () => {
    const f = filtersFromParams(new URLSearchParams("case=c1&actor=bob&action=round.*&from=2026-11-02&to=yesterday&limit=5000"));
    expect(f).toEqual({ case: "c1", actor: "bob", action: "round.*", from: "2026-11-02", to: "", limit: 1000 });
    expect(filtersFromParams(new URLSearchParams("limit=-3")).limit).toBe(PAGE_SIZE);
  });

  it("writes only what is set back to the URL", () => {
    const f = filtersFromParams(new URLSearchParams("actor=%20bob%20&limit=25"));
    expect(filtersToParams(f)).toEqual({ actor: "bob", limit: "25" });
    expect(filtersToParams(filtersFromParams(new URLSearchParams()))).toEqual({});
  });

  it("turns days into a half-open range of local midnights and passes the cursor", () => {
    const f = filtersFromParams(new URLSearchParams("case=c1&action=%20round.*&from=2026-11-02&to=2026-11-03&limit=50"));
    const q = toAuditQuery(f, 77);
    expect(q).toMatchObject({ case_id: "c1", action: "round.*", limit: 50, cursor: 77 });
    expect(q.actor).toBeUndefined();
    expect(new Date(q.since!).getTime()).toBe(new Date(2026, 10, 2).getTime());
    // "To" is inclusive: until is the start of the next day.
    expect(new Date(q.until!).getTime()).toBe(new Date(2026, 10, 4).getTime());
    expect(toAuditQuery(f).cursor).toBeUndefined();
  });

  it("says what to fix in a bad range or pattern", () => {
    const base = filtersFromParams(new URLSearchParams());
    expect(filterProblem({ ...base, from: "2026-11-05", to: "2026-11-01" })).toMatch(/after/);
    expect(filterProblem({ ...base, action: "ro*nd" })).toMatch(/\.\*/);
    expect(filterProblem({ ...base, action: "*" })).toMatch(/\.\*/);
    expect(filterProblem({ ...base, action: "round.*", from: "2026-11-01", to: "2026-11-01" })).toBeNull();
  });
});

describe("audit pages", () => {
  it("joins pages newest first, each event once", () => {
    const merged = mergePages([
      { events: [ev(9), ev(8), ev(7)], nextCursor: 7 },
      { events: [ev(7), ev(6)], nextCursor: null },
      undefined,
    ]);
    expect(merged.map((e) => e.id)).toEqual([9, 8, 7, 6]);
  });

  it("quick-filters the loaded events by action, user or outcome", () => {
    expect(matchesText(ev(1, "candidate.shown"), " SHOWN ")).toBe(true);
    expect(matchesText(ev(1, "case.create", "bob"), "bob")).toBe(true);
    expect(matchesText(ev(1, "case.create"), "round")).toBe(false);
    expect(matchesText(ev(1), "")).toBe(true);
  });
});

describe("chain summary", () => {
  const now = new Date("2026-12-01T16:00:00Z");

  it("says how far the signed heads reach", () => {
    const s = chainSummary(
      { ...VERIFY, signed_heads: 12, last_signed_seq: 1190, last_signed_at: "2026-12-01T15:42:10Z", unsigned_events: 14, key_sha256: "ab".repeat(32) },
      now,
    );
    expect(s.ok).toBe(true);
    expect(s.headline).toBe("Chain intact · 1,204 events · last signed head #1,190 at 15:42 UTC · 14 events not yet signed");
    expect(s.key).toBe("abababababababab…");
  });

  it("names the day of an older head and a fully signed chain", () => {
    const s = chainSummary({ ...VERIFY, events: 1, last_signed_seq: 1, last_signed_at: "2026-11-30T09:05:00Z", unsigned_events: 0 }, now);
    expect(s.headline).toBe("Chain intact · 1 event · last signed head #1 at 30 Nov 2026, 09:05 UTC · every event signed");
  });

  it("says when nothing is signed yet", () => {
    expect(chainSummary(VERIFY, now).headline).toBe("Chain intact · 1,204 events · no signing key yet");
    expect(chainSummary({ ...VERIFY, key_sha256: "cd".repeat(32) }, now).headline).toContain("no signed head yet");
  });

  it("names the first bad event and the reason when broken", () => {
    const s = chainSummary({ ok: false, events: 1204, first_bad: 57, reason: "event 57 is missing, or does not link or hash", forged_heads: 2 }, now);
    expect(s.ok).toBe(false);
    expect(s.headline).toBe("Chain broken at event #57 (1,204 events checked)");
    expect(s.detail).toMatch(/^Event 57 is missing, or does not link or hash\. 2 signed heads failed the signature check\. Records/);
  });

  it("shows the time in UTC whatever the browser's zone", () => {
    expect(utcStamp("2026-12-01T23:59:00+01:00", now)).toBe("22:59 UTC");
    expect(utcStamp("not a time", now)).toBe("not a time");
  });
});
