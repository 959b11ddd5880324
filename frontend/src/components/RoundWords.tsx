import type { Round } from "../api";
import { describeDiff, parseDiff, suggestionText } from "../lib/working";
import "./working.css";

/**
 * Per round, the witness's words verbatim (the evidence) apart from the artist's
 * interpretation: the suggested edits accepted and the change to the working description.
 */
export function RoundWords({ rounds, openIndex }: { rounds: Round[]; openIndex: number | null }) {
  const told = rounds.filter((r) => r.feedback || r.working_diff || r.accepted_edits?.length).sort((a, b) => b.index - a.index);
  if (!told.length) return null;
  return (
    <section className="round-words" aria-labelledby="round-words-title">
      <h3 id="round-words-title" className="subhead">
        Words and interpretation
      </h3>
      {told.map((r) => {
        const lines = describeDiff(parseDiff(r.working_diff) ?? { attributes: {}, added: [], removed: [], changed: [] });
        const accepted = r.accepted_edits ?? [];
        return (
          <details key={r.index} open={openIndex === r.index} data-testid={`round-words-${r.index}`}>
            <summary className="small">Round {r.index}</summary>
            <div className="small">
              <strong>Witness said</strong>
              {r.feedback ? <blockquote className="words-said">{r.feedback}</blockquote> : <p className="muted">No words recorded.</p>}
              <strong>Artist's interpretation</strong>
              {accepted.length === 0 && lines.length === 0 ? (
                <p className="muted">No change to the working description.</p>
              ) : (
                <>
                  {accepted.length > 0 && (
                    <ul className="words-interpretation" aria-label={`Suggestions accepted in round ${r.index}`}>
                      {accepted.map((s, i) => (
                        <li key={i}>Accepted: {suggestionText(s)}</li>
                      ))}
                    </ul>
                  )}
                  {lines.length > 0 && (
                    <ul className="words-interpretation" aria-label={`Changes to the working description in round ${r.index}`}>
                      {lines.map((l, i) => (
                        <li key={i} className={`diff-${l.op}`}>
                          {l.text}
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              )}
            </div>
          </details>
        );
      })}
    </section>
  );
}
