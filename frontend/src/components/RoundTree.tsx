import type { Round } from "../api";
import { buildRoundTree, candidateLabel, flattenTree, indexCandidates, sortedCandidates } from "../lib/roundTree";
import { STATUS_LABEL } from "../lib/progress";
import { modelLabel } from "../lib/format";
import { roundMaskLabel } from "../lib/safeguards";

/**
 * The session's rounds as a tree: each round hangs under the round whose
 * candidate it refined, so branching from an older candidate is visible.
 */
export function RoundTree({ rounds, selectedIndex, onSelect, finalId }: { rounds: Round[]; selectedIndex: number | null; onSelect: (index: number) => void; finalId: string | null }) {
  const rows = flattenTree(buildRoundTree(rounds));
  const byId = indexCandidates(rounds);
  if (!rows.length) return <p className="muted small">No rounds yet.</p>;
  return (
    <ol className="round-tree" aria-label="Round history">
      {rows.map(({ node, guides, isLast, isBranch, depth }) => {
        const r = node.round;
        const parentRef = r.parent_candidate_id ? byId.get(r.parent_candidate_id) : undefined;
        const selected = r.index === selectedIndex;
        const pickedHere = rounds.filter((x) => x.parent_candidate_id && r.candidates.some((c) => c.id === x.parent_candidate_id)).map((x) => x.parent_candidate_id);
        return (
          <li key={r.index} className={`tree-row${selected ? " is-selected" : ""}`}>
            <span className="tree-guides" aria-hidden="true">
              {guides.map((g, i) => (
                <span key={i} className={`tree-guide${g ? " tree-guide-line" : ""}`} />
              ))}
              {depth > 0 && <span className={`tree-elbow${isLast ? " tree-elbow-last" : ""}`} />}
            </span>
            <button
              type="button"
              className="tree-node"
              aria-current={selected ? "true" : undefined}
              aria-label={`Round ${r.index}, ${STATUS_LABEL[r.status]}${parentRef ? `, refined from ${candidateLabel(parentRef)}` : ", from the description"}${isBranch ? ", branch" : ""}`}
              onClick={() => onSelect(r.index)}
            >
              <span className="tree-node-head">
                <strong>Round {r.index}</strong>
                <span className={`status-dot status-${r.status}`} aria-hidden="true" />
                <span className="muted small">{STATUS_LABEL[r.status]}</span>
                {isBranch && <span className="badge badge-warning">branch</span>}
              </span>
              <span className="tree-node-sub muted small">
                {parentRef ? `from ${candidateLabel(parentRef)}` : "from description"} · {r.mode === "txt2img" ? "text" : modelLabel(r.model ?? r.mode)}
                {r.rating !== null && r.rating !== undefined && <> · rated {r.rating}/10</>}
                {roundMaskLabel(r) && <> · {roundMaskLabel(r)}</>}
              </span>
              {r.candidates.length > 0 && (
                <span className="tree-thumbs">
                  {sortedCandidates(r).map((c) => (
                    <img
                      key={c.id}
                      src={c.image_url}
                      alt=""
                      className={`${pickedHere.includes(c.id) ? "is-picked" : ""}${c.id === finalId ? " is-final" : ""}`}
                      loading="lazy"
                    />
                  ))}
                </span>
              )}
            </button>
          </li>
        );
      })}
    </ol>
  );
}
