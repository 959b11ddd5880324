import { useState } from "react";
import { AttributesForm } from "./AttributesForm";
import { NextPrompt } from "./NextPrompt";
import { ClauseList, KindLegend } from "./ClauseList";
import { summarize } from "../lib/attributes";
import {
  addClause,
  addedBy,
  changedFields,
  clauseKey,
  describeDiff,
  diffWorking,
  attributeOf,
  editAttribute,
  editClause,
  isEmptyDiff,
  KINDS,
  liveAccepted,
  restoreClause,
  setKind,
  setPromoted,
  shownWorking,
  type ClauseKind,
  type Suggestion,
  type Working,
  type WorkingEdits,
} from "../lib/working";
import "./working.css";

/**
 * The working description the next round is drawn from: the artist's interpretation of the
 * witness's words. Attributes and clauses are editable; every change shows against the
 * session's working description (and is recorded with the round as its diff).
 */
export function WorkingDescription({
  current,
  edits,
  onEdits,
  offered,
  round,
}: {
  /** The session's working description (what the last round was drawn from). */
  current: Working;
  edits: WorkingEdits;
  onEdits: (next: WorkingEdits) => void;
  /** The suggestions offered for the current feedback (accepted ones are applied on top). */
  offered: Suggestion[] | null;
  /** The next round's index (clauses added now come in with it). */
  round: number;
}) {
  const shown = shownWorking(edits, offered, round);
  const accepted = liveAccepted(edits.accepted, offered);
  const suggested = new Set((shown.clauses ?? []).map((c) => clauseKey(c.text)).filter((k) => addedBy(accepted, k)));
  const change = diffWorking(current, shown);
  const lines = describeDiff(change);
  const attrs = summarize(shown.attributes ?? {});
  const clause = (key: string, fn: Parameters<typeof editClause>[2]) => onEdits(editClause(edits, key, fn));

  return (
    <section className="working" aria-labelledby="working-title" data-testid="working-description">
      <h3 id="working-title" className="subhead">
        Working description
      </h3>
      <p className="field-hint">Your interpretation: the next round is drawn from this, not from the words.</p>
      <KindLegend />
      <ClauseList
        clauses={shown.clauses ?? []}
        suggested={suggested}
        onKind={(key, kind) => clause(key, (c) => setKind({ clauses: [c] }, key, kind).clauses?.[0] ?? c)}
        onPromote={(key, promoted) => clause(key, (c) => setPromoted({ clauses: [c] }, key, promoted).clauses?.[0] ?? c)}
        onStrike={(key) => clause(key, () => null)}
      />
      {change.removed.length > 0 && (
        <ul className="struck-list small" aria-label="Struck this round">
          {change.removed.map((c) => (
            <li key={clauseKey(c.text)}>
              <s>{c.text}</s>{" "}
              <button
                type="button"
                className="btn btn-small btn-quiet"
                onClick={() => {
                  const original = (current.clauses ?? []).find((x) => clauseKey(x.text) === clauseKey(c.text));
                  if (original) onEdits(restoreClause(edits, original));
                }}
              >
                Restore
              </button>
            </li>
          ))}
        </ul>
      )}
      <AddClause onAdd={(text, kind) => onEdits({ ...edits, base: addClause(edits.base, text, kind, round) })} />
      <details className="working-attributes">
        <summary>
          Attributes <span className="muted small">({attrs.given} described)</span>
        </summary>
        <AttributesForm
          value={shown.attributes ?? {}}
          onChange={(next) => {
            let out = edits;
            for (const field of changedFields(shown.attributes, next)) out = editAttribute(out, field, attributeOf({ attributes: next }, field));
            onEdits(out);
          }}
        />
      </details>
      <NextPrompt working={shown} />
      <div className="working-diff small" aria-live="polite" data-testid="working-changes">
        {isEmptyDiff(change) ? (
          <span className="muted">No changes to the working description yet.</span>
        ) : (
          <>
            <span className="muted">Your changes this round:</span>
            <ul>
              {lines.map((l, i) => (
                <li key={i} className={`diff-${l.op}`}>
                  {l.text}
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </section>
  );
}

function AddClause({ onAdd }: { onAdd: (text: string, kind: ClauseKind) => void }) {
  const [text, setText] = useState("");
  const [kind, setKind] = useState<ClauseKind>("draw");
  const add = () => {
    if (!text.trim()) return;
    onAdd(text, kind);
    setText("");
    setKind("draw");
  };
  return (
    <div className="add-clause">
      <label className="sr-only" htmlFor="add-clause-text">
        New clause
      </label>
      <input
        id="add-clause-text"
        type="text"
        value={text}
        placeholder="Add a clause, e.g. scar on the left cheek"
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          // Enter adds the clause; it must not submit the refine form (and draw a round).
          if (e.key === "Enter") {
            e.preventDefault();
            add();
          }
        }}
      />
      <label className="sr-only" htmlFor="add-clause-kind">
        Kind of the new clause
      </label>
      <select id="add-clause-kind" value={kind} onChange={(e) => setKind(e.target.value as ClauseKind)}>
        {KINDS.map((k) => (
          <option key={k.kind} value={k.kind}>
            {k.label}
          </option>
        ))}
      </select>
      <button type="button" className="btn btn-small" onClick={add} disabled={!text.trim()}>
        Add
      </button>
    </div>
  );
}
