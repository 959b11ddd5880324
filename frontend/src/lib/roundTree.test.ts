import { describe, expect, it } from "vitest";
import type { Round } from "../api";
import { buildRoundTree, candidateLabel, flattenTree, indexCandidates, latestRound, lineage, runningRound } from "./roundTree";

function round(index: number, parent: string | null, ids: string[], status: Round["status"] = "succeeded"): Round {
  return {
    index,
    status,
    job_id: `job${index}`,
    step: 0,
    total_steps: 30,
    created_at: "2025-03-04T10:00:00Z",
    settings: {},
    mode: parent ? "img2img" : "txt2img",
    model: "img2img",
    prompt: "p",
    token_count: 3,
    parent_candidate_id: parent,
    rating: parent ? 5 : null,
    feedback: null,
    error: null,
    candidates: ids.map((id, i) => ({ id, index: i, seed: 100 + i, image_url: `/api/images/${id}`, image_sha256: `sha-${id}`, shown_count: 0 })),
  };
}

// Round 1: a,b,c,d. Round 2 refines b. Round 3 refines round-2's f. Round 4 branches from round-1's d.
const rounds = [round(1, null, ["a", "b", "c", "d"]), round(2, "b", ["e", "f"]), round(3, "f", ["g", "h"]), round(4, "d", ["i", "j"], "running")];

describe("buildRoundTree", () => {
  it("hangs each round under the round holding its parent candidate", () => {
    const roots = buildRoundTree(rounds);
    expect(roots).toHaveLength(1);
    const r1 = roots[0]!;
    expect(r1.round.index).toBe(1);
    expect(r1.children.map((c) => c.round.index)).toEqual([2, 4]);
    expect(r1.children[0]!.children.map((c) => c.round.index)).toEqual([3]);
    expect(r1.children[1]!.parent?.candidate.id).toBe("d");
    expect(r1.children[0]!.children[0]!.depth).toBe(2);
  });

  it("treats unknown or later parents as roots instead of looping", () => {
    const odd = [round(1, null, ["a"]), round(2, "zzz", ["b"]), round(3, "c", ["c"])];
    const roots = buildRoundTree(odd);
    expect(roots.map((r) => r.round.index)).toEqual([1, 2, 3]);
  });

  it("sorts by index whatever order the API sends", () => {
    const roots = buildRoundTree([...rounds].reverse());
    expect(roots[0]!.round.index).toBe(1);
    expect(roots[0]!.children.map((c) => c.round.index)).toEqual([2, 4]);
  });
});

describe("flattenTree", () => {
  it("lists rows depth-first with branch markers and guides", () => {
    const rows = flattenTree(buildRoundTree(rounds));
    expect(rows.map((r) => [r.node.round.index, r.depth, r.isBranch, r.isLast])).toEqual([
      [1, 0, false, true],
      [2, 1, false, false],
      [3, 2, false, true],
      [4, 1, true, true],
    ]);
    // Round 3 sits under round 2, which has a sibling below: the guide line continues.
    expect(rows[2]!.guides).toEqual([true]);
    expect(rows[1]!.guides).toEqual([]);
  });
});

describe("lineage and lookups", () => {
  it("follows picks back to the first round", () => {
    expect(lineage(rounds, "h").map((r) => r.candidate.id)).toEqual(["b", "f", "h"]);
    expect(lineage(rounds, "i").map((r) => r.candidate.id)).toEqual(["d", "i"]);
    expect(lineage(rounds, "nope")).toEqual([]);
  });

  it("labels candidates by round and 1-based position", () => {
    const idx = indexCandidates(rounds);
    expect(candidateLabel(idx.get("c")!)).toBe("R1·3");
    expect(candidateLabel(idx.get("j")!)).toBe("R4·2");
  });

  it("finds the newest and the running round", () => {
    expect(latestRound(rounds)?.index).toBe(4);
    expect(runningRound(rounds)?.index).toBe(4);
    expect(latestRound([])).toBeUndefined();
  });
});
