import { suggestionText, type Suggestion } from "../lib/working";
import "./working.css";

export type Decision = "accept" | "reject";

/**
 * The suggester's edits for the witness's words, each accepted or rejected by the artist.
 * None is preselected: the words are evidence and each edit is the artist's reading of
 * them, so every one is a decision the artist makes (the round records which).
 */
export function Suggestions({
  suggestions,
  decisions,
  onDecide,
  onDecideAll,
  pending,
  error,
}: {
  suggestions: Suggestion[] | null;
  decisions: Record<string, Decision>;
  onDecide: (s: Suggestion, decision: Decision | null) => void;
  onDecideAll: (decision: Decision) => void;
  pending: boolean;
  error: string | null;
}) {
  if (error) return <p className="field-error small">Suggestions unavailable ({error}). Edit the working description yourself.</p>;
  if (!suggestions) return pending ? <p className="muted small" aria-live="polite">Reading the feedback…</p> : null;
  if (!suggestions.length) {
    return (
      <p className="muted small" aria-live="polite">
        No edits suggested for these words. Edit the working description yourself if something should change.
      </p>
    );
  }
  const open = suggestions.filter((s) => !decisions[s.id ?? ""]).length;
  return (
    <section className="suggestions" aria-labelledby="suggestions-title" aria-busy={pending}>
      <div className="suggestions-head">
        <h3 id="suggestions-title" className="subhead">
          Suggested edits {open ? <span className="muted small">({open} to decide)</span> : null}
        </h3>
        <span className="suggestions-all">
          <button type="button" className="btn btn-small" onClick={() => onDecideAll("accept")}>
            Accept all
          </button>
          <button type="button" className="btn btn-small btn-quiet" onClick={() => onDecideAll("reject")}>
            Reject all
          </button>
        </span>
      </div>
      <ul className="suggestion-list">
        {suggestions.map((s) => {
          const id = s.id ?? "";
          const d = decisions[id];
          return (
            <li key={id} className={`suggestion suggestion-${d ?? "open"}`} data-testid="suggestion">
              <div className="suggestion-words">
                <span className="suggestion-edit">{suggestionText(s)}</span>
                {s.said && <span className="muted small">from “{s.said}”</span>}
              </div>
              <div className="suggestion-tools" role="group" aria-label={`Decide: ${suggestionText(s)}`}>
                <button
                  type="button"
                  className={`btn btn-small ${d === "accept" ? "btn-primary" : ""}`}
                  aria-pressed={d === "accept"}
                  onClick={() => onDecide(s, d === "accept" ? null : "accept")}
                >
                  {d === "accept" ? "Accepted" : "Accept"}
                </button>
                <button
                  type="button"
                  className={`btn btn-small ${d === "reject" ? "btn-danger-quiet" : "btn-quiet"}`}
                  aria-pressed={d === "reject"}
                  onClick={() => onDecide(s, d === "reject" ? null : "reject")}
                >
                  {d === "reject" ? "Rejected" : "Reject"}
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
