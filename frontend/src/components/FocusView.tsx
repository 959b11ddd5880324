import type { Candidate, Round } from "../api";
import { sortedCandidates } from "../lib/roundTree";
import { screenImageUrl } from "../lib/safeguards";
import { CandidateImage } from "./CandidateImage";
import { CompositeNotice, PhotographicBadge } from "./CompositeNotice";

/**
 * One candidate large (at least 480 px tall), the round's others as thumbnails
 * beside it: for looking closely with the witness. ← → move as in the grid.
 */
export function FocusView({
  round,
  focusedIndex,
  onFocus,
  pickedId,
  onPick,
  disabled,
  witnessViewing = false,
}: {
  round: Round;
  focusedIndex: number;
  onFocus: (index: number) => void;
  pickedId: string | null;
  onPick: (candidate: Candidate) => void;
  disabled?: boolean;
  witnessViewing?: boolean;
}) {
  const candidates = sortedCandidates(round);
  const index = Math.min(Math.max(0, focusedIndex), candidates.length - 1);
  const c = candidates[index];
  if (!c) return null;
  const label = `Candidate ${index + 1} of round ${round.index}`;
  const picked = c.id === pickedId;
  return (
    <div className="focus-view" data-testid="focus-view">
      <figure className="focus-main">
        <CandidateImage src={screenImageUrl(c.image_url, witnessViewing)} alt={`${label}, large`} className="focus-img" />
        <figcaption className="focus-caption">
          <strong>R{round.index}·{index + 1}</strong>
          <CompositeNotice imageUrl={c.image_url} download={label} />
          {c.photographic && <PhotographicBadge />}
          {c.face_found === false && <span className="badge badge-warning">no face</span>}
          {picked ? (
            <span className="badge badge-accent">Picked</span>
          ) : (
            !disabled && (
              <button type="button" className="btn btn-small btn-primary" onClick={() => onPick(c)}>
                Pick R{round.index}·{index + 1}
              </button>
            )
          )}
        </figcaption>
      </figure>
      <ol className="focus-thumbs" aria-label={`Round ${round.index} thumbnails`}>
        {candidates.map((t, i) => (
          <li key={t.id}>
            <button
              type="button"
              className={`focus-thumb${i === index ? " is-focused" : ""}${t.id === pickedId ? " is-picked" : ""}`}
              aria-current={i === index ? "true" : undefined}
              aria-label={`Show candidate ${i + 1} of round ${round.index}${t.id === pickedId ? ", picked" : ""}`}
              onClick={() => onFocus(i)}
            >
              <img src={screenImageUrl(t.image_url, witnessViewing)} alt="" />
              <span className="focus-thumb-num" aria-hidden="true">
                {i + 1}
              </span>
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
