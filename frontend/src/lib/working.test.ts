import { describe, expect, it } from "vitest";
import {
  addClause,
  applyEdits,
  changedFields,
  clauseKey,
  decide,
  describeDiff,
  diffWorking,
  editAttribute,
  editClause,
  isDrawn,
  isEmptyDiff,
  kindInfo,
  liveAccepted,
  parseDiff,
  restoreClause,
  setKind,
  setPromoted,
  shownWorking,
  strike,
  type Suggestion,
  type Working,
  type WorkingEdits,
} from "./working";

const W: Working = {
  attributes: { sex: "male", nose: "crooked", hair: { length: "short" } },
  clauses: [
    { text: "He was about forty", kind: "draw", source: "description", round: 1, promoted: false },
    { text: "thin face", kind: "draw", source: "description", round: 1, promoted: false },
    { text: "I didn't see his eyes", kind: "unknown", source: "description", round: 1, promoted: false },
    { text: "maybe a scar", kind: "uncertain", source: "description", round: 1, promoted: false },
    { text: "nose bent left", kind: "draw", source: "feedback", round: 2, promoted: false },
  ],
};
const NOSE: Suggestion = { id: "n1", kind: "set", field: "nose", value: "wide crooked", text: "nose: wide crooked", said: "nose wider" };
const HAT: Suggestion = { id: "h1", kind: "add", clause: { text: "no hat", kind: "absent", source: "feedback" } };
const KEEP: Suggestion = { id: "k1", kind: "keep", field: "nose" };
const edits = (base: Working = W): WorkingEdits => ({ base, accepted: {}, rejected: [] });
const texts = (w: Working) => (w.clauses ?? []).map((c) => c.text);

describe("editing the working description", () => {
  it("changes a kind, and a promotion belongs to an uncertain clause only", () => {
    const key = clauseKey("maybe a scar");
    const promoted = setPromoted(W, key, true);
    expect(promoted.clauses?.[3]).toMatchObject({ kind: "uncertain", promoted: true });
    expect(isDrawn(promoted.clauses![3]!)).toBe(true);
    const absent = setKind(promoted, key, "absent");
    expect(absent.clauses?.[3]).toMatchObject({ kind: "absent", promoted: false });
    // A draw clause cannot be "promoted".
    expect(setPromoted(W, clauseKey("thin face"), true).clauses?.[1]?.promoted).toBe(false);
    expect(W.clauses?.[3]?.promoted).toBe(false); // pure
  });

  it("strikes and adds by the clause's words, case and spaces aside", () => {
    const struck = strike(W, clauseKey("  Thin   FACE "));
    expect(texts(struck)).not.toContain("thin face");
    const added = addClause(struck, "  scar on the chin ", "draw", 3);
    expect(added.clauses?.at(-1)).toEqual({ text: "scar on the chin", kind: "draw", source: "artist", round: 3, promoted: false });
    expect(addClause(W, "   ", "draw")).toBe(W);
    // The same words again replace the clause (its kind), never duplicate it.
    expect(texts(addClause(W, "Thin face", "absent")).filter((t) => clauseKey(t) === "thin face")).toHaveLength(1);
  });

  it("applies accepted edits as the server does, and twice is once", () => {
    const once = applyEdits(W, [NOSE, HAT, KEEP], 2);
    expect(once.attributes?.nose).toBe("wide crooked");
    expect(once.clauses?.find((c) => c.text === "no hat")).toMatchObject({ kind: "absent", round: 2 });
    // "keep the nose": the pending feedback clause about the nose goes, the description's stay.
    expect(texts(once)).not.toContain("nose bent left");
    expect(texts(once)).toContain("thin face");
    expect(applyEdits(once, [NOSE, HAT, KEEP], 2)).toEqual(once);
    expect(applyEdits(W, [{ id: "p", kind: "pick", candidate_index: 2 }])).toEqual(W);
  });
});

describe("accepting, rejecting and editing on top of suggestions", () => {
  it("shows accepted suggestions on the base, only those still offered", () => {
    let e = decide(edits(), NOSE, "accept");
    e = decide(e, HAT, "reject");
    expect(shownWorking(e, [NOSE, HAT]).attributes?.nose).toBe("wide crooked");
    expect(texts(shownWorking(e, [NOSE, HAT]))).not.toContain("no hat");
    expect(e.rejected).toEqual(["h1"]);
    // Words changed and the suggestion is no longer offered: it is not applied.
    expect(shownWorking(e, [HAT]).attributes?.nose).toBe("crooked");
    expect(liveAccepted(e.accepted, null)).toEqual([NOSE]);
    expect(decide(e, NOSE, null).accepted).toEqual({});
  });

  it("re-kinds a suggested clause in its suggestion; striking it rejects the suggestion", () => {
    const e = decide(edits(), HAT, "accept");
    const key = clauseKey("no hat");
    const rekinded = editClause(e, key, (c) => ({ ...c, kind: "uncertain" }));
    expect(rekinded.accepted.h1?.clause?.kind).toBe("uncertain");
    expect(shownWorking(rekinded, [HAT]).clauses?.find((c) => c.text === "no hat")?.kind).toBe("uncertain");
    const struck = editClause(e, key, () => null);
    expect(struck.accepted).toEqual({});
    expect(struck.rejected).toEqual(["h1"]);
    expect(texts(shownWorking(struck, [HAT]))).not.toContain("no hat");
  });

  it("lets the artist's own value win over an accepted attribute suggestion", () => {
    const e = editAttribute(decide(edits(), NOSE, "accept"), "nose", "hooked");
    expect(e.accepted).toEqual({});
    expect(shownWorking(e, [NOSE]).attributes?.nose).toBe("hooked");
    expect(changedFields(W.attributes, { ...W.attributes, hair: { length: "long" } })).toEqual(["hair.length"]);
  });

  it("restores a struck clause as it was", () => {
    const e = editClause(edits(), clauseKey("maybe a scar"), () => null);
    expect(texts(e.base)).not.toContain("maybe a scar");
    expect(restoreClause(e, W.clauses![3]!).base.clauses?.at(-1)).toEqual(W.clauses![3]);
  });
});

describe("the diff", () => {
  it("is the server's shape: attributes by field, added, removed, changed", () => {
    const after = setPromoted(addClause(strike(applyEdits(W, [NOSE]), "thin face"), "scar on chin", "draw"), "maybe a scar", true);
    const d = diffWorking(W, after);
    expect(d.attributes).toEqual({ nose: { from: "crooked", to: "wide crooked" } });
    expect(d.added).toEqual([{ text: "scar on chin", kind: "draw", source: "artist" }]);
    expect(d.removed).toEqual([{ text: "thin face", kind: "draw", source: "description" }]);
    expect(d.changed).toEqual([{ text: "maybe a scar", from: "uncertain", to: "uncertain", promoted: true }]);
    expect(isEmptyDiff(diffWorking(W, W))).toBe(true);
  });

  it("reads as lines a person understands", () => {
    const d = parseDiff({
      attributes: { "hair.length": { from: "short", to: null } },
      added: [{ text: "no hat", kind: "absent" }],
      removed: [{ text: "thin face", kind: "draw" }],
      changed: [{ text: "maybe a scar", from: "uncertain", to: "draw", promoted: false }],
    });
    expect(describeDiff(d!).map((l) => l.text)).toEqual([
      "Hair length: short → (none)",
      "Added “no hat” (Absent)",
      "Struck “thin face”",
      "“maybe a scar”: Unsure → Draw",
    ]);
    expect(parseDiff(null)).toBeNull();
    expect(kindInfo(undefined).label).toBe("Draw");
  });
});
