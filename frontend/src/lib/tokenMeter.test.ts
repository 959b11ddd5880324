import { describe, expect, it } from "vitest";
import { chunksNeeded, estimateTokens, meterModel } from "./tokenMeter";

describe("meterModel", () => {
  it("is empty at zero tokens, with one window on the scale", () => {
    const m = meterModel(0);
    expect(m.state).toBe("empty");
    expect(m.perChunk).toBe(75);
    expect(m.chunks).toBe(1);
    expect(m.scaleMax).toBe(75);
    expect(m.fillPercent).toBe(0);
  });

  it("fits in one window up to 75 prompt tokens (77 with start/end)", () => {
    expect(meterModel(40).state).toBe("ok");
    expect(meterModel(75).state).toBe("near");
    expect(meterModel(75).chunks).toBe(1);
    expect(meterModel(75).fillPercent).toBe(100);
  });

  it("warns when close to the boundary", () => {
    expect(meterModel(63).state).toBe("ok");
    expect(meterModel(64).state).toBe("near");
    expect(meterModel(64).hint).toMatch(/11 tokens left/);
  });

  it("goes over at 76 and counts chunks, never truncating", () => {
    const m = meterModel(76);
    expect(m.state).toBe("over");
    expect(m.chunks).toBe(2);
    expect(m.scaleMax).toBe(150);
    expect(m.hint).toMatch(/2 chunks/);
    expect(m.hint).toMatch(/nothing is cut off/);
  });

  it("places the 77-token boundary on the bar", () => {
    const m = meterModel(120);
    expect(m.boundaries.map((b) => b.tokens)).toEqual([75, 150]);
    expect(m.boundaries[0]!.percent).toBeCloseTo(50);
    expect(m.fillPercent).toBeCloseTo(80);
  });

  it("respects another window size and rejects nonsense", () => {
    expect(meterModel(10, 12).perChunk).toBe(10);
    expect(meterModel(11, 12).state).toBe("over");
    expect(meterModel(-5).count).toBe(0);
    expect(meterModel(Number.NaN).state).toBe("empty");
    expect(meterModel(5, 1).window).toBe(77);
  });

  it("chunksNeeded rounds up and is at least one", () => {
    expect(chunksNeeded(0, 75)).toBe(1);
    expect(chunksNeeded(150, 75)).toBe(2);
    expect(chunksNeeded(151, 75)).toBe(3);
  });
});

describe("estimateTokens", () => {
  it("counts words and punctuation like CLIP's pre-tokenizer", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("short grey hair, narrow face")).toBe(6);
    expect(estimateTokens("he's 40")).toBe(4);
  });
  it("charges long words extra", () => {
    expect(estimateTokens("unbelievablylongword")).toBeGreaterThan(1);
  });
});
