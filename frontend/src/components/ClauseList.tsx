import { clauseKey, isDrawn, kindInfo, KINDS, type Clause, type ClauseKind } from "../lib/working";
import "./working.css";

/** What each colour means, in words (colour is never the only cue: every clause also carries its label). */
export function KindLegend() {
  return (
    <ul className="kind-legend small" aria-label="Clause kinds">
      {KINDS.map((k) => (
        <li key={k.kind}>
          <span className={`kind-tag kind-${k.kind}`}>{k.label}</span> <span className="muted">{k.effect}</span>
        </li>
      ))}
    </ul>
  );
}

/** Read-only clauses coloured and labelled by kind (the interview's first description, the witness's feedback). */
export function ClauseKinds({ clauses, label }: { clauses: { text: string; kind?: ClauseKind }[]; label: string }) {
  if (!clauses.length) return null;
  return (
    <ul className="clause-kinds" aria-label={label}>
      {clauses.map((c, i) => {
        const info = kindInfo(c.kind);
        return (
          <li key={`${i}:${c.text}`} className={`clause clause-${info.kind}`} data-kind={info.kind}>
            <span className={`kind-tag kind-${info.kind}`}>{info.label}</span>
            <span className="clause-text">{c.text}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** The working description's clauses, each with its kind (changeable), "draw it" for an unsure one, and strike. */
export function ClauseList({
  clauses,
  onKind,
  onPromote,
  onStrike,
  suggested,
}: {
  clauses: Clause[];
  onKind: (key: string, kind: ClauseKind) => void;
  onPromote: (key: string, promoted: boolean) => void;
  onStrike: (key: string) => void;
  /** Keys of clauses an accepted suggestion puts in (marked as such). */
  suggested?: Set<string>;
}) {
  if (!clauses.length) return <p className="muted small">No clauses. Add one below.</p>;
  return (
    <ul className="clause-list" aria-label="Clauses of the working description">
      {clauses.map((c) => {
        const key = clauseKey(c.text);
        const info = kindInfo(c.kind);
        const drawn = isDrawn(c);
        return (
          <li key={key} className={`clause clause-${info.kind}`} data-kind={info.kind} data-testid="working-clause">
            <div className="clause-main">
              <span className={`kind-tag kind-${info.kind}`}>{info.label}</span>
              <span className="clause-text">{c.text}</span>
            </div>
            <div className="clause-foot">
              <span className="clause-meta muted small">
                {c.source === "artist" ? "artist" : c.source === "feedback" ? `feedback${c.round ? `, round ${c.round}` : ""}` : "description"}
                {suggested?.has(key) ? " · suggested" : ""}
                {drawn ? "" : " · not drawn"}
              </span>
            <div className="clause-tools">
              <label className="sr-only" htmlFor={`kind-${key}`}>
                Kind of “{c.text}”
              </label>
              <select id={`kind-${key}`} value={info.kind} onChange={(e) => onKind(key, e.target.value as ClauseKind)}>
                {KINDS.map((k) => (
                  <option key={k.kind} value={k.kind}>
                    {k.label}
                  </option>
                ))}
              </select>
              {info.kind === "uncertain" && (
                <label className="checkbox small">
                  <input type="checkbox" checked={!!c.promoted} onChange={(e) => onPromote(key, e.target.checked)} />
                  Draw it
                </label>
              )}
              <button type="button" className="btn btn-small btn-quiet" onClick={() => onStrike(key)} aria-label={`Strike “${c.text}”`}>
                Strike
              </button>
            </div>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
