import { useEffect, useRef, type CSSProperties } from "react";
import type { Candidate, Round } from "../api";
import { useGridFit } from "../hooks";
import { sortedCandidates } from "../lib/roundTree";
import { screenImageUrl } from "../lib/safeguards";
import { CandidateImage } from "./CandidateImage";
import { CompositeNotice, DownloadLink, PhotographicBadge } from "./CompositeNotice";

export interface CandidateGridProps {
  round: Round;
  focusedIndex: number;
  pickedId: string | null;
  compareIds: string[];
  finalId: string | null;
  onFocus: (index: number) => void;
  onPick: (candidate: Candidate) => void;
  onToggleCompare: (candidate: Candidate) => void;
  /** Placeholders to show while a round is still drawing. */
  expected?: number;
  disabled?: boolean;
  /** The witness is looking at this screen: fetching the faces records them as shown. */
  witnessViewing?: boolean;
}

/** One round's candidates. Arrow keys move the focus; Enter/P picks; C compares. */
export function CandidateGrid({ round, focusedIndex, pickedId, compareIds, finalId, onFocus, onPick, onToggleCompare, expected = 4, disabled, witnessViewing = false }: CandidateGridProps) {
  const candidates = sortedCandidates(round);
  const refs = useRef<(HTMLDivElement | null)[]>([]);
  // Card chrome: 8px padding + 1px border each side; the notice and caption rows below the image.
  const [boxRef, fit] = useGridFit(candidates.length || Math.max(1, expected), {
    gap: 14,
    chromeX: 18,
    chromeY: 70,
    minSize: 150,
    maxSize: 640,
    bottomReserve: 56,
  });
  const style: CSSProperties | undefined = fit
    ? { gridTemplateColumns: `repeat(${fit.columns}, ${fit.size + 18}px)`, justifyContent: "center" }
    : undefined;
  const focusInside = useRef(false);

  useEffect(() => {
    // Follow the keyboard focus with the DOM focus, but only if it was already in the grid.
    if (focusInside.current) refs.current[focusedIndex]?.focus();
  }, [focusedIndex]);

  if (!candidates.length) {
    const n = Math.max(1, expected);
    return (
      <div ref={boxRef} style={style} className={`cand-grid cand-grid-${Math.min(n, 8)}`} aria-label={`Round ${round.index} candidates (not drawn yet)`}>
        {Array.from({ length: n }, (_, i) => (
          <div key={i} className="cand-card cand-placeholder" aria-hidden="true">
            <div className="cand-img cand-img-loading" />
          </div>
        ))}
      </div>
    );
  }
  return (
    <div
      ref={boxRef}
      style={style}
      className={`cand-grid cand-grid-${Math.min(candidates.length, 8)}`}
      role="listbox"
      aria-label={`Round ${round.index} candidates`}
      aria-activedescendant={candidates[focusedIndex] ? `cand-${candidates[focusedIndex].id}` : undefined}
      onFocus={() => (focusInside.current = true)}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node)) focusInside.current = false;
      }}
    >
      {candidates.map((c, i) => {
        const label = `Candidate ${i + 1} of round ${round.index}`;
        const picked = c.id === pickedId;
        const comparing = compareIds.includes(c.id);
        const isFinal = c.id === finalId;
        return (
          <div
            key={c.id}
            id={`cand-${c.id}`}
            ref={(el) => {
              refs.current[i] = el;
            }}
            className={`cand-card${i === focusedIndex ? " is-focused" : ""}${picked ? " is-picked" : ""}${isFinal ? " is-final" : ""}`}
            role="option"
            aria-selected={picked}
            aria-label={`${label}${picked ? ", picked" : ""}${isFinal ? ", approved final" : ""}`}
            tabIndex={i === focusedIndex || (focusedIndex < 0 && i === 0) ? 0 : -1}
            onFocus={() => onFocus(i)}
            onClick={() => {
              onFocus(i);
              if (!disabled) onPick(c);
            }}
          >
            <CandidateImage src={screenImageUrl(c.image_url, witnessViewing)} alt={label} />
            {c.photographic && <PhotographicBadge overlay />}
            <DownloadLink imageUrl={c.image_url} what={`candidate ${i + 1} of round ${round.index}`} overlay />
            <CompositeNotice compact />
            <div className="cand-meta">
              <span className="cand-num" aria-hidden="true">
                {i + 1}
              </span>
              <span className="cand-seed muted small" title={`Seed ${c.seed}`}>
                seed {c.seed}
              </span>
              {c.face_found === false && (
                <span className="badge badge-warning" title="The face detector found no face in this candidate">
                  no face
                </span>
              )}
              {typeof c.identity_similarity === "number" && (
                <span
                  className={`badge ${c.identity_similarity < 0.5 ? "badge-warning" : "badge-neutral"}`}
                  title="Identity similarity to the pick it was refined from (0.5 = same-person threshold)"
                >
                  id {c.identity_similarity.toFixed(2)}
                </span>
              )}
              {picked && <span className="badge badge-accent">Picked</span>}
              {isFinal && <span className="badge badge-success">Final</span>}
              <button
                type="button"
                className={`chip chip-small${comparing ? " chip-on" : ""}`}
                aria-pressed={comparing}
                aria-label={`Compare candidate ${i + 1} of round ${round.index}`}
                onClick={(e) => {
                  e.stopPropagation();
                  onToggleCompare(c);
                }}
              >
                Compare
              </button>
            </div>
          </div>
        );
      })}
    </div>
  );
}
