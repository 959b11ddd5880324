import { describe, expect, it } from "vitest";
import { ApiError } from "../api";
import {
  downloadUrl,
  exposureState,
  isCrossWitnessError,
  isExposureCapError,
  REGION_BOXES,
  roundMaskLabel,
  roundsWording,
  screenImageUrl,
} from "./safeguards";
import { REGIONS } from "./attributes";
import { plural } from "./format";

describe("safeguard helpers", () => {
  it("points downloads at the labelled copy", () => {
    expect(downloadUrl("/api/images/abc")).toBe("/api/images/abc/download");
    expect(downloadUrl("/api/images/abc?retry=1")).toBe("/api/images/abc/download");
  });

  it("flags image URLs only while the witness is looking", () => {
    expect(screenImageUrl("/api/images/abc", false)).toBe("/api/images/abc");
    expect(screenImageUrl("/api/images/abc", true)).toBe("/api/images/abc?witness_viewing=1");
    expect(screenImageUrl("/api/images/abc?x=1", true)).toBe("/api/images/abc?x=1&witness_viewing=1");
  });

  it("never says '6 of 5 planned rounds' or '1 candidates'", () => {
    expect(roundsWording(3, 5)).toBe("3 of 5 planned rounds");
    expect(roundsWording(6, 5)).toBe("6 rounds (5 planned)");
    expect(roundsWording(1, 1)).toBe("1 of 1 planned round");
    expect(plural(1, "candidate")).toBe("1 candidate");
    expect(plural(3, "candidate")).toBe("3 candidates");
  });

  it("warns from 75% of the cap and marks the cap itself", () => {
    expect(exposureState(undefined, 60)).toBeNull();
    expect(exposureState(44, 60)?.tone).toBe("neutral");
    expect(exposureState(45, 60)?.tone).toBe("warning");
    expect(exposureState(60, 60)?.tone).toBe("danger");
    expect(exposureState(90, 60)?.fraction).toBe(1);
  });

  it("tells the cap's 409 from the cross-witness 409", () => {
    const cap = new ApiError(409, "exposure cap: the witness has been shown 8 faces and this round would show 4 more");
    const cross = new ApiError(409, "this reference matches a composite shown to witness W2 (session s, round 3, R3·2)");
    expect(isExposureCapError(cap)).toBe(true);
    expect(isExposureCapError(cross)).toBe(false);
    expect(isCrossWitnessError(cross)).toBe(true);
    expect(isCrossWitnessError(cap)).toBe(false);
    expect(isExposureCapError(new ApiError(422, "exposure cap"))).toBe(false);
  });

  it("names the region or mask a round used", () => {
    expect(roundMaskLabel({ settings: { region: "nose" } })).toBe("region: nose");
    expect(roundMaskLabel({ settings: { region: null, mask_sha256: "ab12" } })).toBe("painted mask");
    expect(roundMaskLabel({ settings: {} })).toBeNull();
  });

  it("has a preview box for every region the picker offers", () => {
    for (const r of REGIONS) expect(REGION_BOXES[r.id]?.length).toBeGreaterThan(0);
  });
});
