import { useCallback, useMemo, useState } from "react";
import { api, type Round, type Session } from "../../api";
import { useAction, useDraftState } from "../../hooks";
import { ErrorNotice } from "../../components/ui";
import { CandidateImage } from "../../components/CandidateImage";
import { RatingInput } from "../../components/RatingInput";
import { EvolvePhase, EvolveSliders } from "../../components/EvolveControls";
import "../../components/evolve.css";
import {
  allowedActions,
  artistEvolveBody,
  checkEvolveChoice,
  EMPTY_EVOLVE,
  forRound,
  isFull,
  MAX_ARRAY,
  SCALE_LABELS,
  SCALES,
  setPickRating,
  togglePick,
  type EvolveAction,
  type EvolveDraft,
  type Scale,
} from "../../lib/evolve";

const ACTION_LABELS: Record<EvolveAction, string> = {
  breed: "Breed the picks",
  blend: "Blend two",
  scale: "Show along this scale",
  reject: "None of these",
};

/**
 * The refine panel of an evolve session: pick up to three faces of the array on
 * screen, rate each, and breed them; or blend two, or show one along a scale, or
 * none of these. The scales and the phase go with every round.
 */
export function EvolveRefine({
  sessionId,
  viewed,
  running,
  onStarted,
  onLeave,
}: {
  sessionId: string;
  viewed: Round | undefined;
  running: Round | undefined;
  onStarted: (session: Session) => void;
  /** Back to refining one face with another model. */
  onLeave: () => void;
}) {
  const [draft, setDraft] = useDraftState<EvolveDraft>(`evolve-refine:${sessionId}`, EMPTY_EVOLVE);
  const [action, setAction] = useState<EvolveAction>("breed");
  const [blendWeight, setBlendWeight] = useState(0.5);
  const [scale, setScale] = useState<Scale>("age");
  const [size, setSize] = useState("");
  const faces = useMemo(() => (viewed ? [...viewed.candidates].sort((a, b) => a.index - b.index) : []), [viewed]);
  const numberOf = useCallback((id: string) => {
    const i = faces.findIndex((f) => f.id === id);
    return i >= 0 ? i + 1 : null;
  }, [faces]);
  const allowed = allowedActions(draft.picks.length);
  const chosen = allowed.includes(action) ? action : allowed[0]!;

  const next = useAction(async () => {
    if (chosen !== "reject") {
      const problem = checkEvolveChoice({ ...draft, rejectAll: false }, numberOf);
      if (problem) throw problem;
    }
    const body = artistEvolveBody(draft, chosen, { blendWeight, scale, phase: true, candidates: Number(size) || undefined });
    const updated = await api.nextRound(sessionId, body);
    setDraft((d) => forRound(d, -1));
    onStarted(updated);
    return updated;
  });

  return (
    <form
      className="panel refine-panel evolve-refine"
      onSubmit={(e) => {
        e.preventDefault();
        void next.run();
      }}
      aria-labelledby="evolve-refine-title"
    >
      <h2 id="evolve-refine-title" className="panel-title">
        Evolve
      </h2>
      <p className="muted small">Round {viewed?.index ?? "–"}: pick up to three faces and rate each.</p>
      <div className="evolve-grid" role="listbox" aria-multiselectable="true" aria-label="Faces to breed">
        {faces.map((c, i) => {
          const on = draft.picks.some((p) => p.id === c.id);
          return (
            <div
              key={c.id}
              role="option"
              aria-selected={on}
              aria-disabled={!on && isFull(draft)}
              aria-label={`Face #${i + 1}${on ? ", picked" : ""}`}
              tabIndex={0}
              className={`evolve-face${on ? " is-picked" : ""}`}
              onClick={() => setDraft((d) => togglePick(d, c.id))}
              onKeyDown={(e) => {
                if (e.key === " " || e.key === "Enter") {
                  e.preventDefault();
                  setDraft((d) => togglePick(d, c.id));
                }
              }}
            >
              <CandidateImage src={c.image_url} alt={`Face #${i + 1}`} />
              <span className="evolve-face-num">{i + 1}</span>
            </div>
          );
        })}
      </div>
      {draft.picks.map((p) => (
        <RatingInput key={p.id} value={p.rating} onChange={(r) => setDraft((d) => setPickRating(d, p.id, r))} label={`Face #${numberOf(p.id) ?? "?"}: likeness (0–10)`} />
      ))}
      <div className="field">
        <label htmlFor="evolve-action">Next array</label>
        <select id="evolve-action" value={chosen} onChange={(e) => setAction(e.target.value as EvolveAction)}>
          {allowed.map((a) => (
            <option key={a} value={a}>
              {ACTION_LABELS[a]}
            </option>
          ))}
        </select>
      </div>
      {chosen === "blend" && (
        <div className="field">
          <label htmlFor="evolve-blend">
            Blend weight: {blendWeight.toFixed(2)} (0 = face #{numberOf(draft.picks[0]!.id)}, 1 = face #{numberOf(draft.picks[1]!.id)})
          </label>
          <input id="evolve-blend" type="range" min={0} max={1} step={0.05} value={blendWeight} onChange={(e) => setBlendWeight(Number(e.target.value))} />
        </div>
      )}
      {chosen === "scale" && (
        <div className="field">
          <label htmlFor="evolve-scale">Scale (7 variants from −1 to +1)</label>
          <select id="evolve-scale" value={scale} onChange={(e) => setScale(e.target.value as Scale)}>
            {SCALES.map((s) => (
              <option key={s} value={s}>
                {SCALE_LABELS[s].label}
              </option>
            ))}
          </select>
        </div>
      )}
      {(chosen === "breed" || chosen === "reject") && (
        <div className="field">
          <label htmlFor="evolve-size">Array size (up to {MAX_ARRAY})</label>
          <input id="evolve-size" type="number" min={1} max={MAX_ARRAY} value={size} placeholder="as before" onChange={(e) => setSize(e.target.value)} />
        </div>
      )}
      <details>
        <summary>Move the whole face: age, weight…</summary>
        <EvolveSliders draft={draft} setDraft={setDraft} />
      </details>
      <EvolvePhase phase={draft.phase} onPhase={(phase) => setDraft((d) => ({ ...d, phase }))} />
      <div className="field">
        <label htmlFor="evolve-refine-feedback">The witness's words (optional)</label>
        <textarea id="evolve-refine-feedback" rows={2} value={draft.feedback} onChange={(e) => setDraft((d) => ({ ...d, feedback: e.target.value }))} />
      </div>
      <ErrorNotice error={next.error} title="The next array was not started" onDismiss={next.clearError} compact />
      <div className="refine-actions">
        <button type="submit" className="btn btn-primary btn-block" disabled={next.pending || !!running}>
          {next.pending ? "Starting…" : running ? `Round ${running.index} is still drawing` : "Draw next array"}
        </button>
        <button type="button" className="btn btn-block btn-quiet" onClick={onLeave}>
          Refine one face with another model instead
        </button>
      </div>
    </form>
  );
}
