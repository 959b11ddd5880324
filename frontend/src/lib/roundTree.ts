/**
 * The history of a session's rounds as a tree.
 *
 * Round 1 draws from the description alone. Every later round refines one
 * candidate (its `parent_candidate_id`), which may belong to any earlier round:
 * picking an older candidate branches the history. The tree hangs each round
 * under the round that holds its parent candidate.
 */
import type { Candidate, Round } from "../api";

export interface RoundNode {
  round: Round;
  /** The candidate this round refined, and the round it came from. */
  parent: { round: Round; candidate: Candidate } | null;
  children: RoundNode[];
  depth: number;
}

export interface CandidateRef {
  round: Round;
  candidate: Candidate;
  /** 1-based position within its round, as shown to people. */
  position: number;
}

export function sortedCandidates(round: Round): Candidate[] {
  return [...round.candidates].sort((a, b) => a.index - b.index);
}

/** Every candidate of the session by id. */
export function indexCandidates(rounds: Round[]): Map<string, CandidateRef> {
  const map = new Map<string, CandidateRef>();
  for (const round of rounds) {
    sortedCandidates(round).forEach((candidate, i) => map.set(candidate.id, { round, candidate, position: i + 1 }));
  }
  return map;
}

/** "R2·3": round 2, third candidate. */
export function candidateLabel(ref: Pick<CandidateRef, "round" | "position">): string {
  return `R${ref.round.index}·${ref.position}`;
}

export function buildRoundTree(rounds: Round[]): RoundNode[] {
  const ordered = [...rounds].sort((a, b) => a.index - b.index);
  const byCandidate = indexCandidates(ordered);
  const nodes = new Map<number, RoundNode>();
  const roots: RoundNode[] = [];
  for (const round of ordered) {
    const ref = round.parent_candidate_id ? byCandidate.get(round.parent_candidate_id) : undefined;
    // A parent must come from an earlier round; anything else is treated as a root
    // rather than risking a cycle.
    const parentNode = ref && ref.round.index < round.index ? nodes.get(ref.round.index) : undefined;
    const node: RoundNode = {
      round,
      parent: parentNode && ref ? { round: ref.round, candidate: ref.candidate } : null,
      children: [],
      depth: parentNode ? parentNode.depth + 1 : 0,
    };
    nodes.set(round.index, node);
    if (parentNode) parentNode.children.push(node);
    else roots.push(node);
  }
  return roots;
}

export interface TreeRow {
  node: RoundNode;
  depth: number;
  /**
   * For each ancestor level below the root (depth - 1 entries): whether a
   * vertical guide line continues through this row at that level.
   */
  guides: boolean[];
  isLast: boolean;
  /** True when this round is not its parent's first child: a branch. */
  isBranch: boolean;
}

/** Depth-first rows for drawing the tree as an indented list with guide lines. */
export function flattenTree(roots: RoundNode[]): TreeRow[] {
  const rows: TreeRow[] = [];
  const walk = (node: RoundNode, guides: boolean[], isLast: boolean, isBranch: boolean) => {
    rows.push({ node, depth: node.depth, guides, isLast, isBranch });
    node.children.forEach((child, i) => {
      const last = i === node.children.length - 1;
      walk(child, node.depth === 0 ? [] : [...guides, !isLast], last, i > 0);
    });
  };
  roots.forEach((root, i) => walk(root, [], i === roots.length - 1, i > 0));
  return rows;
}

/** The chain of picks that led to a candidate, oldest first, ending with it. */
export function lineage(rounds: Round[], candidateId: string): CandidateRef[] {
  const byCandidate = indexCandidates(rounds);
  const chain: CandidateRef[] = [];
  const seen = new Set<string>();
  let current = byCandidate.get(candidateId);
  while (current && !seen.has(current.candidate.id)) {
    seen.add(current.candidate.id);
    chain.unshift(current);
    const parentId = current.round.parent_candidate_id;
    current = parentId ? byCandidate.get(parentId) : undefined;
  }
  return chain;
}

/** The round people are looking at by default: the newest one. */
export function latestRound(rounds: Round[]): Round | undefined {
  return rounds.reduce<Round | undefined>((best, r) => (!best || r.index > best.index ? r : best), undefined);
}

export function isActive(round: Round | undefined): boolean {
  return !!round && (round.status === "queued" || round.status === "running");
}

/** The round still drawing, if any (only one runs at a time). */
export function runningRound(rounds: Round[]): Round | undefined {
  return rounds.find(isActive);
}

/** The id of the candidate that a later round refined from `round`, if any. */
export function pickedFrom(rounds: Round[], round: Round): string[] {
  const ids = new Set(round.candidates.map((c) => c.id));
  return rounds.filter((r) => r.parent_candidate_id && ids.has(r.parent_candidate_id)).map((r) => r.parent_candidate_id!);
}
