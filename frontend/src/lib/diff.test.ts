import { describe, expect, it } from "vitest";
import { diffWords, hasChanges, tokenize } from "./diff";

const join = (parts: { kind: string; text: string }[], keep: string[]) => parts.filter((p) => keep.includes(p.kind)).map((p) => p.text).join("");

describe("diffWords", () => {
  it("keeps whitespace so both sides read back exactly", () => {
    expect(tokenize("a  b\nc")).toEqual(["a", "  ", "b", "\n", "c"]);
    const before = "He had short grey hair and a narrow face.";
    const after = "He had short dark hair, a narrow face and a scar.";
    const parts = diffWords(before, after);
    expect(join(parts, ["same", "removed"])).toBe(before);
    expect(join(parts, ["same", "added"])).toBe(after);
    expect(parts.some((p) => p.kind === "removed" && p.text.includes("grey"))).toBe(true);
    expect(parts.some((p) => p.kind === "added" && p.text.includes("dark"))).toBe(true);
  });

  it("reports no change for identical text", () => {
    const parts = diffWords("same words", "same words");
    expect(parts).toEqual([{ kind: "same", text: "same words" }]);
    expect(hasChanges(parts)).toBe(false);
  });

  it("handles empty sides", () => {
    expect(diffWords("", "new text")).toEqual([{ kind: "added", text: "new text" }]);
    expect(diffWords("old", "")).toEqual([{ kind: "removed", text: "old" }]);
  });

  it("merges adjacent runs of the same kind", () => {
    const parts = diffWords("a b c", "x y z");
    expect(parts).toEqual([
      { kind: "removed", text: "a b c" },
      { kind: "added", text: "x y z" },
    ]);
  });
});
