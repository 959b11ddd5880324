import type { Dispatch, SetStateAction } from "react";
import type { ApiError } from "../api";
import { MAX_PICKS, SCALE_LABELS, SCALES, setPickRating, setSlider, toggleRejectAll, type EvolveDraft, type Phase } from "../lib/evolve";
import { witnessErrorText } from "../lib/witnessView";
import { RatingInput } from "./RatingInput";

/** The four holistic scales, −1..1 each: they move the whole face. */
export function EvolveSliders({ draft, setDraft }: { draft: EvolveDraft; setDraft: Dispatch<SetStateAction<EvolveDraft>> }) {
  return (
    <fieldset className="evolve-sliders">
      <legend className="sr-only">Move the whole face</legend>
      {SCALES.map((scale) => {
        const { label, low, high } = SCALE_LABELS[scale];
        const id = `evolve-slider-${scale}`;
        return (
          <div key={scale} className="evolve-slider">
            <label htmlFor={id}>
              {label} <span className="muted small">{draft.sliders[scale] > 0 ? "+" : ""}{draft.sliders[scale].toFixed(1)}</span>
            </label>
            <input
              id={id}
              type="range"
              min={-1}
              max={1}
              step={0.1}
              value={draft.sliders[scale]}
              aria-valuetext={`${draft.sliders[scale].toFixed(1)}: ${draft.sliders[scale] < 0 ? low : draft.sliders[scale] > 0 ? high : "as it is"}`}
              onChange={(e) => setDraft((d) => setSlider(d, scale, Number(e.target.value)))}
            />
            <span className="evolve-slider-ends muted small" aria-hidden="true">
              <span>{low}</span>
              <span>{high}</span>
            </span>
          </div>
        );
      })}
    </fieldset>
  );
}

/** Internal features first (EvoFIT's order), then the hair, ears and outline. */
export function EvolvePhase({ phase, onPhase }: { phase: Phase; onPhase: (p: Phase) => void }) {
  return (
    <fieldset className="evolve-phase">
      <legend>Which features change</legend>
      <label className="radio">
        <input type="radio" name="evolve-phase" checked={phase === "internal"} onChange={() => onPhase("internal")} /> Eyes, nose, mouth (hair and outline held)
      </label>
      <label className="radio">
        <input type="radio" name="evolve-phase" checked={phase === "external"} onChange={() => onPhase("external")} /> Hair, ears, outline (inner features held)
      </label>
    </fieldset>
  );
}

/** Beside (laptop) or under (phone) the array: a rating for each pick, "None of these", the scales, the phase, then send. */
export function EvolveControls({
  draft,
  setDraft,
  numberOf,
  imageOf,
  onSend,
  sending,
  busy,
  error,
  phase,
}: {
  draft: EvolveDraft;
  setDraft: Dispatch<SetStateAction<EvolveDraft>>;
  /** The face's number on screen (1–18). */
  numberOf: (id: string) => number | null;
  imageOf: (id: string) => string | null;
  onSend: () => void;
  sending: boolean;
  busy: boolean;
  error: ApiError | null;
  /** Offer the phase (the artist allows it on the room's screen). */
  phase: boolean;
}) {
  const count = draft.picks.length;
  return (
    <form
      className="witness-panel evolve-panel"
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
      aria-label="Your choice"
    >
      <p className="witness-step" aria-live="polite">
        {draft.rejectAll ? "None of these faces." : count ? `You picked ${count} of up to ${MAX_PICKS}.` : `Tap up to ${MAX_PICKS} faces.`}
      </p>
      {draft.picks.map((p) => {
        const n = numberOf(p.id);
        const src = imageOf(p.id);
        return (
          <div key={p.id} className="evolve-pick">
            {src && <img src={src} alt="" className="evolve-pick-img" />}
            <RatingInput value={p.rating} onChange={(rating) => setDraft((d) => setPickRating(d, p.id, rating))} label={`Face ${n ?? "?"}: how close?`} />
          </div>
        );
      })}
      <button type="button" className={`btn btn-block${draft.rejectAll ? " btn-primary" : ""}`} aria-pressed={draft.rejectAll} onClick={() => setDraft(toggleRejectAll)}>
        None of these
      </button>
      <details className="evolve-more" open>
        <summary>Move the whole face: age, weight…</summary>
        <EvolveSliders draft={draft} setDraft={setDraft} />
      </details>
      {phase && <EvolvePhase phase={draft.phase} onPhase={(p) => setDraft((d) => ({ ...d, phase: p }))} />}
      <div className="field">
        <label htmlFor="evolve-feedback">Anything else? (optional)</label>
        <textarea id="evolve-feedback" rows={2} value={draft.feedback} onChange={(e) => setDraft((d) => ({ ...d, feedback: e.target.value }))} />
      </div>
      {error && (
        <p className="witness-error" role="alert">
          {witnessErrorText(error)}
        </p>
      )}
      <button type="submit" className="btn btn-primary btn-block btn-large" disabled={sending || busy}>
        {sending ? "Sending…" : busy ? "Please wait…" : "Show me new faces"}
      </button>
    </form>
  );
}
