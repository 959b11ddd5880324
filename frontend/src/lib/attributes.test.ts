import { describe, expect, it } from "vitest";
import { ATTRIBUTE_FIELDS, REGIONS, attributesEqual, cleanAttributes, diffAttributes, displayValue, getAttribute, NOT_SEEN, setAttribute, summarize, UNSURE, valueKind } from "./attributes";

describe("attributes", () => {
  it("covers every attribute key of the API", () => {
    expect(ATTRIBUTE_FIELDS.map((f) => f.path)).toEqual([
      "sex", "age_range", "skin_tone", "build", "face_shape", "hair.colour", "hair.length", "hair.style",
      "eyebrows", "eyes", "nose", "mouth", "jaw", "facial_hair", "glasses", "headwear", "marks", "other",
    ]);
  });

  it("sets and clears nested hair values without leaving empty objects", () => {
    let a = setAttribute({}, "hair.colour", "grey");
    expect(a).toEqual({ hair: { colour: "grey" } });
    expect(getAttribute(a, "hair.colour")).toBe("grey");
    a = setAttribute(a, "hair.colour", "");
    expect(a).toEqual({});
    a = setAttribute(a, "eyes", NOT_SEEN);
    expect(a).toEqual({ eyes: "not_seen" });
  });

  it("cleans values for the API: trims and drops blanks", () => {
    expect(cleanAttributes({ sex: "  male ", eyes: "   ", hair: { colour: "", length: "short" } })).toEqual({ sex: "male", hair: { length: "short" } });
  });

  it("distinguishes not seen, unsure, given and not asked", () => {
    expect(valueKind(NOT_SEEN)).toBe("not_seen");
    expect(valueKind(UNSURE)).toBe("unsure");
    expect(valueKind("blue")).toBe("given");
    expect(valueKind("")).toBe("empty");
    expect(displayValue(NOT_SEEN)).toBe("not seen");
    const s = summarize({ sex: "male", eyes: NOT_SEEN, nose: UNSURE });
    expect(s).toEqual({ given: 1, notSeen: 1, unsure: 1, empty: ATTRIBUTE_FIELDS.length - 3 });
  });

  it("diffs two versions field by field", () => {
    const changes = diffAttributes({ eyes: "blue", hair: { colour: "grey" } }, { eyes: "blue", hair: { colour: "black" }, nose: UNSURE });
    expect(changes.map((c) => [c.label, c.before, c.after])).toEqual([
      ["Hair colour", "grey", "black"],
      ["Nose", "", "unsure"],
    ]);
    expect(attributesEqual({ eyes: " blue" }, { eyes: "blue" })).toBe(true);
  });
});

describe("regions", () => {
  it("offers exactly the regions the engine can mask (common/spec.py REGIONS)", () => {
    expect(REGIONS.map((r) => r.id)).toEqual(["eyes", "eyebrows", "nose", "mouth", "jaw", "hair", "ears"]);
    expect(REGIONS.map((r) => r.label)).not.toContain("Face shape");
  });
});
