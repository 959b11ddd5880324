import { useEffect, useRef, useState } from "react";
import type { CandidateRef } from "../lib/roundTree";
import { candidateLabel } from "../lib/roundTree";
import { availableModes, compareColumns, effectiveMode, type CompareMode } from "../lib/compare";
import { plural } from "../lib/format";
import { screenImageUrl } from "../lib/safeguards";
import { CandidateImage } from "./CandidateImage";
import { CompositeNotice } from "./CompositeNotice";

const MODE_LABEL: Record<CompareMode, string> = { side: "Side by side", slider: "Slider", flicker: "Flicker" };

/**
 * Candidates from any rounds, as large as the screen allows. With two, a slider
 * wipes between them or a flicker alternates them in place, so small
 * differences stand out.
 */
export function CompareView({
  items,
  onClose,
  onRemove,
  onPick,
  pickedId,
  witnessViewing = false,
}: {
  items: CandidateRef[];
  onClose: () => void;
  onRemove: (id: string) => void;
  onPick?: (ref: CandidateRef) => void;
  pickedId: string | null;
  /** The witness is looking at this screen: fetching the faces records them as shown. */
  witnessViewing?: boolean;
}) {
  const src = (ref: CandidateRef) => screenImageUrl(ref.candidate.image_url, witnessViewing);
  const [mode, setMode] = useState<CompareMode>("side");
  const [slider, setSlider] = useState(50);
  const [flickerMs, setFlickerMs] = useState(600);
  const [flickerOn, setFlickerOn] = useState(true);
  const [showB, setShowB] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const m = effectiveMode(mode, items.length);
  const [a, b] = items;

  useEffect(() => {
    ref.current?.focus();
  }, []);

  useEffect(() => {
    if (m !== "flicker" || !flickerOn) return;
    const id = window.setInterval(() => setShowB((s) => !s), flickerMs);
    return () => window.clearInterval(id);
  }, [m, flickerOn, flickerMs]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        e.preventDefault();
        e.stopPropagation();
        onClose();
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [onClose]);

  return (
    <div className="compare-overlay" role="dialog" aria-modal="true" aria-labelledby="compare-title" ref={ref} tabIndex={-1}>
      <div className="compare-bar">
        <h2 id="compare-title">Compare {plural(items.length, "candidate")}</h2>
        <div className="segmented" role="radiogroup" aria-label="Compare mode">
          {(["side", "slider", "flicker"] as CompareMode[]).map((mm) => {
            const enabled = availableModes(items.length).includes(mm);
            return (
              <button
                key={mm}
                type="button"
                role="radio"
                aria-checked={m === mm}
                disabled={!enabled}
                title={enabled ? undefined : "Slider and flicker compare exactly two candidates"}
                onClick={() => setMode(mm)}
              >
                {MODE_LABEL[mm]}
              </button>
            );
          })}
        </div>
        {m === "slider" && (
          <label className="inline-field">
            <span>Wipe</span>
            <input type="range" min={0} max={100} value={slider} aria-label="Slider position" onChange={(e) => setSlider(Number(e.target.value))} />
          </label>
        )}
        {m === "flicker" && (
          <>
            <button type="button" className="btn btn-small" onClick={() => setFlickerOn((f) => !f)} aria-pressed={!flickerOn}>
              {flickerOn ? "Pause flicker" : "Resume flicker"}
            </button>
            <label className="inline-field">
              <span>Speed</span>
              <input type="range" min={150} max={1500} step={50} value={1650 - flickerMs} aria-label="Flicker speed" onChange={(e) => setFlickerMs(1650 - Number(e.target.value))} />
            </label>
            {!flickerOn && (
              <button type="button" className="btn btn-small" onClick={() => setShowB((s) => !s)}>
                Show {showB ? candidateLabel(a!) : candidateLabel(b!)}
              </button>
            )}
          </>
        )}
        <span className="spacer" />
        <span className="muted small">Esc closes</span>
        <button type="button" className="btn" onClick={onClose}>
          Close comparison
        </button>
      </div>

      {items.length === 0 ? (
        <div className="compare-empty">
          <p>Nothing to compare yet.</p>
          <p className="muted">Press C on a candidate, or use its Compare button, to add it here. Add candidates from any round.</p>
        </div>
      ) : m === "side" ? (
        <div className="compare-grid" style={{ gridTemplateColumns: `repeat(${compareColumns(items.length)}, minmax(0, 1fr))` }}>
          {items.map((item) => (
            <figure key={item.candidate.id} className={`compare-item${item.candidate.id === pickedId ? " is-picked" : ""}`}>
              <CandidateImage src={src(item)} alt={`Candidate ${candidateLabel(item)}`} />
              <figcaption>
                <strong>{candidateLabel(item)}</strong>
                <span className="muted small">seed {item.candidate.seed}</span>
                <CompositeNotice compact />
                <span className="spacer" />
                {onPick && (
                  <button type="button" className="btn btn-small" onClick={() => onPick(item)} aria-label={`Pick ${candidateLabel(item)}`}>
                    {item.candidate.id === pickedId ? "Picked" : "Pick"}
                  </button>
                )}
                <button type="button" className="btn btn-small btn-quiet" onClick={() => onRemove(item.candidate.id)} aria-label={`Remove ${candidateLabel(item)} from comparison`}>
                  Remove
                </button>
              </figcaption>
            </figure>
          ))}
        </div>
      ) : (
        a &&
        b && (
          <div className="compare-two">
            <div className="compare-stage" data-testid={`compare-${m}`}>
              <img src={src(a)} alt={`Candidate ${candidateLabel(a)}`} className="compare-base" />
              {m === "slider" ? (
                <>
                  <img src={src(b)} alt={`Candidate ${candidateLabel(b)}`} className="compare-top" style={{ clipPath: `inset(0 0 0 ${slider}%)` }} />
                  <div className="compare-divider" style={{ left: `${slider}%` }} aria-hidden="true" />
                </>
              ) : (
                <img src={src(b)} alt={`Candidate ${candidateLabel(b)}`} className="compare-top" style={{ opacity: showB ? 1 : 0 }} />
              )}
              <span className="compare-tag compare-tag-a">{candidateLabel(a)}</span>
              <span className="compare-tag compare-tag-b">{candidateLabel(b)}</span>
            </div>
            <p className="muted small compare-caption">
              <CompositeNotice compact />{" "}
              {m === "slider" ? `Left of the line: ${candidateLabel(a)}. Right: ${candidateLabel(b)}.` : `Now showing ${showB ? candidateLabel(b) : candidateLabel(a)}.`}
            </p>
          </div>
        )
      )}
    </div>
  );
}
