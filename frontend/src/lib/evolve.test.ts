import { describe, expect, it } from "vitest";
import {
  allowedActions,
  artistEvolveBody,
  checkEvolveChoice,
  describeChoice,
  EMPTY_EVOLVE,
  evolveCellSize,
  evolveRoundBody,
  forRound,
  isFull,
  moveInGrid,
  pageCount,
  pageOf,
  setPickRating,
  setSlider,
  toggleRejectAll,
  togglePick,
  witnessEvolveBody,
  type EvolveDraft,
} from "./evolve";

const three = (): EvolveDraft => ["a", "b", "c"].reduce((d, id) => togglePick(d, id), EMPTY_EVOLVE);

describe("picking from an array", () => {
  it("toggles a face on and off", () => {
    const d = togglePick(EMPTY_EVOLVE, "a");
    expect(d.picks).toEqual([{ id: "a", rating: null }]);
    expect(togglePick(d, "a").picks).toEqual([]);
  });

  it("takes at most three; a fourth tap changes nothing, unpicking makes room", () => {
    const d = three();
    expect(isFull(d)).toBe(true);
    expect(togglePick(d, "d")).toBe(d);
    expect(togglePick(togglePick(d, "b"), "d").picks.map((p) => p.id)).toEqual(["a", "c", "d"]);
  });

  it("rates each pick, clamped to 0–10", () => {
    let d = setPickRating(three(), "b", 7);
    d = setPickRating(d, "c", 14);
    expect(d.picks.map((p) => p.rating)).toEqual([null, 7, 10]);
  });

  it("none of these clears the picks, and a tap on a face turns it off", () => {
    const d = toggleRejectAll(three());
    expect(d).toMatchObject({ rejectAll: true, picks: [] });
    expect(togglePick(d, "a")).toMatchObject({ rejectAll: false, picks: [{ id: "a" }] });
    expect(toggleRejectAll(d).rejectAll).toBe(false);
  });

  it("a new round keeps the scales and the phase, not the picks", () => {
    const d = { ...setSlider(three(), "age", 0.37), phase: "external" as const, feedback: "x" };
    const next = forRound(d, 4);
    expect(next).toMatchObject({ roundIndex: 4, picks: [], feedback: "", phase: "external", slidersTouched: true });
    expect(next.sliders.age).toBe(0.4);
    expect(setSlider(EMPTY_EVOLVE, "weight", -3).sliders.weight).toBe(-1);
  });
});

describe("checking and sending", () => {
  it("asks for a face or none of these, then a rating for each face by its number", () => {
    expect(checkEvolveChoice(EMPTY_EVOLVE)?.message).toMatch(/Tap up to three faces/);
    const d = setPickRating(togglePick(togglePick(EMPTY_EVOLVE, "a"), "b"), "a", 5);
    expect(checkEvolveChoice(d, (id) => (id === "b" ? 7 : null))?.message).toBe("Choose how close face 7 is, from 0 to 10.");
    expect(checkEvolveChoice(setPickRating(d, "b", 0))).toBeNull();
    expect(checkEvolveChoice(toggleRejectAll(EMPTY_EVOLVE))).toBeNull();
  });

  it("builds the witness link's body: picks, or reject_all; sliders only once moved", () => {
    const d = { ...setPickRating(setPickRating(togglePick(togglePick(EMPTY_EVOLVE, "a"), "b"), "a", 8), "b", 3), feedback: " older " };
    expect(witnessEvolveBody(d)).toEqual({ picks: [{ candidate_id: "a", rating: 8 }, { candidate_id: "b", rating: 3 }], sliders: undefined, feedback: "older" });
    const moved = setSlider(toggleRejectAll(d), "age", 0.5);
    expect(witnessEvolveBody(moved)).toEqual({ reject_all: true, sliders: { age: 0.5, weight: 0, masculinity: 0, distinctiveness: 0 }, feedback: "older" });
  });

  it("builds the artist's body with the model and, where offered, the phase", () => {
    const d = setPickRating(togglePick(EMPTY_EVOLVE, "a"), "a", 6);
    expect(evolveRoundBody(d)).toMatchObject({ model: "evolve", picks: [{ candidate_id: "a", rating: 6 }], phase: undefined });
    expect(evolveRoundBody({ ...d, phase: "external" }, { phase: true }).phase).toBe("external");
  });

  it("offers blend for two picks and a scale for one; builds each body", () => {
    expect(allowedActions(0)).toEqual(["reject"]);
    expect(allowedActions(1)).toEqual(["breed", "reject", "scale"]);
    expect(allowedActions(2)).toEqual(["breed", "reject", "blend"]);
    const one = setPickRating(togglePick(EMPTY_EVOLVE, "a"), "a", 6);
    const two = setPickRating(togglePick(one, "b"), "b", 4);
    const blend = artistEvolveBody(two, "blend", { blendWeight: 0.25 });
    expect(blend.blend).toEqual({ a: "a", b: "b", weight: 0.25 });
    expect(blend.picks).toBeUndefined();
    expect(artistEvolveBody(one, "scale", { scale: "masculinity" })).toMatchObject({ scale_array: "masculinity", picks: [{ candidate_id: "a" }] });
    expect(artistEvolveBody(two, "reject", { candidates: 12 })).toMatchObject({ reject_all: true, candidates: 12 });
    expect(artistEvolveBody(two, "reject").picks).toBeUndefined();
    expect(() => artistEvolveBody(one, "blend")).toThrow(/exactly two/);
    expect(() => artistEvolveBody(two, "scale")).toThrow(/exactly one/);
  });
});

describe("layout", () => {
  it("pages of nine", () => {
    expect(pageCount(9)).toBe(1);
    expect(pageCount(10)).toBe(2);
    expect(pageCount(18)).toBe(2);
    const faces = Array.from({ length: 12 }, (_, i) => i);
    expect(pageOf(faces, 1)).toEqual([9, 10, 11]);
  });

  it("fits 3×3 by height on a laptop and by width on a phone", () => {
    // 1280×800 with the panel beside: the height decides.
    expect(evolveCellSize(800, 640, { gap: 10, chrome: 12 })).toBe(Math.floor((640 - 20) / 3 - 12));
    expect(evolveCellSize(350, 300, { gap: 6, chrome: 12, phone: true })).toBe(Math.floor((350 - 12) / 3 - 12));
    expect(evolveCellSize(100, 100)).toBe(80);
  });

  it("moves on a 3-wide grid and stays inside it", () => {
    expect(moveInGrid(0, "ArrowDown", 9)).toBe(3);
    expect(moveInGrid(4, "ArrowUp", 9)).toBe(1);
    expect(moveInGrid(8, "ArrowRight", 9)).toBe(8);
    expect(moveInGrid(1, "ArrowDown", 3)).toBe(1);
  });
});

describe("describing a round's choice", () => {
  const n = (id: string) => ({ a: "#1", b: "#4" })[id] ?? null;
  it("says picks with ratings, none of these, blends and scales", () => {
    expect(describeChoice({ picks: [{ candidate_id: "a", rating: 8 }, { candidate_id: "b", rating: 3 }] }, n)).toBe("Picked #1 (8/10), #4 (3/10)");
    expect(describeChoice({ reject_all: true, picks: [] }, n)).toBe("None of these");
    expect(describeChoice({ blend: { a: "a", b: "b", weight: 0.3 } }, n)).toBe("Blend of #1 and #4 at 0.3");
    expect(describeChoice({ picks: [{ candidate_id: "a", rating: 5 }], scale_array: "age" }, n)).toBe("Picked #1 (5/10) along age");
    expect(describeChoice(null, n)).toBeNull();
  });
});
