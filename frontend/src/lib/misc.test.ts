import { describe, expect, it } from "vitest";
import type { AuditEvent, CaseSummary } from "../api";
import { activeFilterCount, applyLocalFilters, artistsOf, caseDate, filtersFromSearch, filtersToSearch, sortCases } from "./caseFilter";
import { addToCompare, availableModes, compareColumns, effectiveMode, toggleCompare } from "./compare";
import { keyToAction, moveIndex } from "./shortcuts";
import { progressLabel, progressPercent } from "./progress";
import { safeNext } from "./drafts";
import { auditThumbnail, describeAction, groupByDay, outcomeTone } from "./audit";

function c(over: Partial<CaseSummary>): CaseSummary {
  return {
    id: "id",
    reference: "CR-1",
    title: "t",
    offence: "",
    occurred_on: null,
    location: "",
    notes: "",
    status: "open",
    owner: { id: "u1", username: "alice" },
    created_at: "2025-03-04T10:00:00Z",
    witness_count: 0,
    releasable_for_training: false,
    face_recognition: { enabled: false, reason: null, by: null, at: null },
    ...over,
  };
}

describe("case filters", () => {
  const cases = [
    c({ id: "1", reference: "CR-2", occurred_on: "2025-01-10" }),
    c({ id: "2", reference: "CR-10", owner: { id: "u2", username: "bob" } }),
    c({ id: "3", reference: "CR-1", occurred_on: "2024-12-31", owner: { id: "u1", username: "alice" } }),
  ];
  it("files a case under its offence date, else the day it was opened", () => {
    expect(caseDate(cases[0]!)).toBe("2025-01-10");
    expect(caseDate(cases[1]!)).toBe("2025-03-04");
  });
  it("filters by date range and artist", () => {
    expect(applyLocalFilters(cases, { from: "2025-01-01", to: "", artist: "" }).map((x) => x.id)).toEqual(["1", "2"]);
    expect(applyLocalFilters(cases, { from: "", to: "2025-01-10", artist: "" }).map((x) => x.id)).toEqual(["1", "3"]);
    expect(applyLocalFilters(cases, { from: "", to: "", artist: "bob" }).map((x) => x.id)).toEqual(["2"]);
    expect(artistsOf(cases)).toEqual(["alice", "bob"]);
  });
  it("round-trips through the URL", () => {
    const f = { q: "elm", status: "open" as const, from: "2025-01-01", to: "", artist: "bob" };
    expect(filtersFromSearch(filtersToSearch(f))).toEqual(f);
    expect(activeFilterCount(f)).toBe(4);
    expect(filtersFromSearch(new URLSearchParams("status=bogus")).status).toBe("");
  });
  it("sorts references numerically", () => {
    expect(sortCases(cases, "reference", "asc").map((x) => x.reference)).toEqual(["CR-1", "CR-2", "CR-10"]);
    expect(sortCases(cases, "date", "desc").map((x) => x.id)).toEqual(["2", "1", "3"]);
  });
});

describe("compare selection", () => {
  it("toggles and caps the selection, dropping the oldest", () => {
    expect(toggleCompare(["a"], "a")).toEqual([]);
    expect(toggleCompare(["a", "b"], "c", 2)).toEqual(["b", "c"]);
    expect(addToCompare(["a"], "a")).toEqual(["a"]);
  });
  it("offers slider and flicker only for two", () => {
    expect(availableModes(2)).toEqual(["side", "slider", "flicker"]);
    expect(availableModes(3)).toEqual(["side"]);
    expect(effectiveMode("flicker", 3)).toBe("side");
    expect(compareColumns(4)).toBe(2);
    expect(compareColumns(5)).toBe(3);
  });
});

describe("shortcuts", () => {
  const input = { tagName: "INPUT" } as unknown as EventTarget;
  const button = { tagName: "BUTTON", getAttribute: () => null } as unknown as EventTarget;
  it("maps keys to actions", () => {
    expect(keyToAction({ key: "ArrowRight" })).toEqual({ type: "move", delta: 1 });
    expect(keyToAction({ key: "ArrowLeft" })).toEqual({ type: "move", delta: -1 });
    expect(keyToAction({ key: "Enter" })).toEqual({ type: "pick" });
    expect(keyToAction({ key: "p" })).toEqual({ type: "pick" });
    expect(keyToAction({ key: "C" })).toEqual({ type: "compare" });
    expect(keyToAction({ key: "3" })).toEqual({ type: "jump", index: 2 });
    expect(keyToAction({ key: "x" })).toBeNull();
  });
  it("stays out of the way while typing and of modified keys", () => {
    expect(keyToAction({ key: "c", target: input })).toBeNull();
    expect(keyToAction({ key: "ArrowLeft", target: input })).toBeNull();
    expect(keyToAction({ key: "Escape", target: input })).toEqual({ type: "close" });
    expect(keyToAction({ key: "c", ctrlKey: true })).toBeNull();
    expect(keyToAction({ key: "Enter", target: button })).toBeNull();
  });
  it("wraps movement", () => {
    expect(moveIndex(3, 1, 4)).toBe(0);
    expect(moveIndex(0, -1, 4)).toBe(3);
    expect(moveIndex(-1, 1, 4)).toBe(0);
    expect(moveIndex(0, 1, 0)).toBe(-1);
  });
});

describe("progress", () => {
  it("says what the worker is doing", () => {
    expect(progressLabel({ status: "running", step: 12, total_steps: 30 })).toBe("Drawing — step 12 of 30");
    expect(progressLabel({ status: "queued", step: 0, total_steps: 0 })).toMatch(/Queued/);
    expect(progressLabel({ status: "failed", step: 3, total_steps: 30, error: "CUDA out of memory" })).toBe("Failed: CUDA out of memory");
    expect(progressPercent({ status: "running", step: 15, total_steps: 30 })).toBe(50);
    expect(progressPercent({ status: "succeeded", step: 0, total_steps: 0 })).toBe(100);
  });
});

describe("safeNext", () => {
  it("only follows same-app paths", () => {
    expect(safeNext("/sessions/1")).toBe("/sessions/1");
    expect(safeNext("https://evil.example")).toBe("/cases");
    expect(safeNext("//evil.example")).toBe("/cases");
    expect(safeNext("/login?next=/x")).toBe("/cases");
    expect(safeNext(null)).toBe("/cases");
  });
});

describe("audit helpers", () => {
  const base: AuditEvent = { id: 1, hash: "h1", source: null, at: "2025-03-04T10:00:00Z", actor: "alice", role: "artist", action: "candidate.shown", entity_type: "candidate", entity_id: "0c7f2a9e-1111-2222-3333-444455556666", case_id: "c", outcome: "ok", details: {} };
  it("finds a thumbnail for picture events", () => {
    const images = new Map([["0c7f2a9e-1111-2222-3333-444455556666", "/api/images/img1"], ["cand2", "/api/images/img2"]]);
    expect(auditThumbnail(base, images)).toBe("/api/images/img1");
    expect(auditThumbnail(base, new Map())).toBeNull();
    expect(auditThumbnail({ ...base, details: { image_url: "/api/images/xyz" } }, images)).toBe("/api/images/xyz");
    expect(auditThumbnail({ ...base, entity_type: "session", action: "session.approve", details: { candidate_id: "cand2" } }, images)).toBe("/api/images/img2");
    expect(auditThumbnail({ ...base, entity_type: "case", action: "case.create" }, images)).toBeNull();
  });
  it("labels actions and outcomes", () => {
    expect(describeAction("session_created")).toBe("Session created");
    expect(outcomeTone("ok")).toBe("success");
    expect(outcomeTone("denied")).toBe("danger");
    expect(outcomeTone(null)).toBe("neutral");
  });
  it("groups by day in order", () => {
    const groups = groupByDay([base, { ...base, id: 2, at: "2025-03-04T11:00:00Z" }]);
    expect(groups).toHaveLength(1);
    expect(groups[0]![1]).toHaveLength(2);
  });
});
