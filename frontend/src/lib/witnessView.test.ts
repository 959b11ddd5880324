import { describe, expect, it } from "vitest";
import { ApiError, type JobStatus } from "../api";
import { busyRound, checkWitnessChoice, EMPTY_WITNESS_DRAFT, shownRound, sortedFaces, witnessErrorText, witnessPollMs, witnessProgressText, witnessScreen, type WitnessRoundLike } from "./witnessView";

function round(index: number, status: JobStatus, faces = 0): WitnessRoundLike {
  return {
    index,
    status,
    step: 0,
    total_steps: 30,
    candidates: Array.from({ length: faces }, (_, i) => ({ id: `r${index}c${i}`, index: faces - 1 - i, image_url: `/img/${index}/${i}` })),
  };
}

describe("what the witness screen shows", () => {
  it("waits for the first faces, and says when drawing them failed", () => {
    expect(witnessScreen("active", [])).toEqual({ kind: "waiting", failed: false });
    expect(witnessScreen("active", [round(1, "failed")])).toEqual({ kind: "waiting", failed: true });
  });

  it("shows 'drawing' while the first round or a newer one is drawn", () => {
    expect(witnessScreen("active", [round(1, "running")]).kind).toBe("drawing");
    const r2 = round(2, "queued");
    expect(witnessScreen("active", [round(1, "succeeded", 4), r2])).toEqual({ kind: "drawing", round: r2 });
  });

  it("shows the newest drawn faces; a failed or cancelled newer round falls back to them", () => {
    const r1 = round(1, "succeeded", 4);
    expect(witnessScreen("active", [r1])).toEqual({ kind: "choose", round: r1 });
    expect(witnessScreen("active", [r1, round(2, "failed")])).toEqual({ kind: "choose", round: r1 });
    const r3 = round(3, "succeeded", 2);
    expect(witnessScreen("active", [r1, round(2, "cancelled"), r3])).toEqual({ kind: "choose", round: r3 });
    expect(shownRound([r3, r1])).toBe(r3);
  });

  it("thanks the witness once the composite is approved", () => {
    expect(witnessScreen("approved", [round(1, "succeeded", 4), round(2, "running")])).toEqual({ kind: "thanks" });
  });

  it("orders faces as numbered, and finds the busy round", () => {
    expect(sortedFaces(round(1, "succeeded", 3)).map((f) => f.index)).toEqual([0, 1, 2]);
    expect(busyRound([round(1, "succeeded", 2), round(2, "running")])?.index).toBe(2);
    expect(busyRound([round(1, "succeeded", 2)])).toBeUndefined();
  });

  it("asks again quickly while drawing, slowly while the witness looks, never when done", () => {
    expect(witnessPollMs("active", [round(1, "queued")])).toBe(1500);
    expect(witnessPollMs("active", [round(1, "succeeded", 4)])).toBe(5000);
    expect(witnessPollMs("approved", [round(1, "succeeded", 4)])).toBe(0);
  });
});

describe("plain words for the witness", () => {
  it("says how far the drawing is without queues or workers", () => {
    expect(witnessProgressText({ status: "queued", step: 0, total_steps: 30 })).toBe("Getting ready…");
    expect(witnessProgressText({ status: "running", step: 0, total_steps: 0 })).toBe("Getting ready…");
    expect(witnessProgressText({ status: "running", step: 5, total_steps: 30 })).toBe("This takes a few seconds.");
    expect(witnessProgressText({ status: "running", step: 26, total_steps: 30 })).toBe("Almost there…");
  });

  it("explains a refusal so the witness knows what to do", () => {
    expect(witnessErrorText(new ApiError(409, "busy"))).toMatch(/already being drawn/);
    expect(witnessErrorText(new ApiError(422, "region: no face found"))).toMatch(/Whole face/);
    expect(witnessErrorText(new ApiError(0, "offline"))).toMatch(/connection/);
    expect(witnessErrorText(new ApiError(500, "boom"))).toMatch(/tell the artist/);
    expect(witnessErrorText(new ApiError(-1, "Tap the face that is closest first."))).toBe("Tap the face that is closest first.");
  });

  it("checks the choice before sending it", () => {
    expect(checkWitnessChoice(EMPTY_WITNESS_DRAFT)?.message).toMatch(/Tap the face/);
    expect(checkWitnessChoice({ ...EMPTY_WITNESS_DRAFT, pickedId: "c" })?.message).toMatch(/how close/);
    expect(checkWitnessChoice({ ...EMPTY_WITNESS_DRAFT, pickedId: "c", rating: 0 })).toBeNull();
  });
});
