import { useEffect, useState, type Dispatch, type SetStateAction } from "react";
import type { ApiError } from "../api";
import { useGridFit } from "../hooks";
import { keyToAction, moveIndex } from "../lib/shortcuts";
import { witnessErrorText, type WitnessDraft, type WitnessFaceLike } from "../lib/witnessView";
import { CandidateImage } from "./CandidateImage";
import { RatingInput } from "./RatingInput";
import { CompositeNotice } from "./CompositeNotice";
import { RegionPicker } from "./RegionPicker";

/** The newest faces, as large as the screen allows. ← → move, 1–8 jump, Enter/P choose. */
export function WitnessFaces({ faces, pickedId, onPick }: { faces: WitnessFaceLike[]; pickedId: string | null; onPick: (face: WitnessFaceLike) => void }) {
  const [focused, setFocused] = useState(0);
  // Faces: 4px padding + 3px border each side, and the composite notice under each.
  const [gridRef, fit] = useGridFit(faces.length, { gap: 18, chromeX: 14, chromeY: 36, minSize: 160, maxSize: 900, bottomReserve: 28 });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = keyToAction(e);
      if (!action || !faces.length) return;
      if (action.type === "move") {
        e.preventDefault();
        setFocused((f) => moveIndex(f, action.delta, faces.length));
      } else if (action.type === "jump" && action.index < faces.length) {
        setFocused(action.index);
      } else if (action.type === "pick") {
        const face = faces[focused];
        if (face) {
          e.preventDefault();
          onPick(face);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [faces, focused, onPick]);

  return (
    <section className="witness-faces" aria-labelledby="witness-q">
      <h1 id="witness-q" className="witness-question">
        Which face is closest to the person you saw?
      </h1>
      <div
        ref={gridRef}
        className={`witness-grid witness-grid-${Math.min(faces.length, 8)}`}
        style={fit ? { gridTemplateColumns: `repeat(${fit.columns}, ${fit.size + 14}px)`, justifyContent: "center", maxWidth: "none" } : undefined}
        role="listbox"
        aria-label="Faces"
      >
        {faces.map((face, i) => (
          <div
            key={face.id}
            role="option"
            aria-selected={pickedId === face.id}
            aria-label={`Face ${i + 1}${pickedId === face.id ? ", chosen" : ""}`}
            tabIndex={i === focused ? 0 : -1}
            className={`witness-face${pickedId === face.id ? " is-picked" : ""}${i === focused ? " is-focused" : ""}`}
            onClick={() => {
              setFocused(i);
              onPick(face);
            }}
            onFocus={() => setFocused(i)}
          >
            <CandidateImage src={face.image_url} alt={`Face ${i + 1}`} />
            <span className="witness-face-num">{i + 1}</span>
            <CompositeNotice compact />
          </div>
        ))}
      </div>
    </section>
  );
}

/** How close the chosen face is, what should be different and (in the room) which part: then "Show me new faces". */
export function WitnessChoiceForm({
  chosenNumber,
  draft,
  setDraft,
  onSend,
  sending,
  busy,
  error,
  regions,
}: {
  chosenNumber: number | null;
  draft: WitnessDraft;
  setDraft: Dispatch<SetStateAction<WitnessDraft>>;
  onSend: () => void;
  sending: boolean;
  busy: boolean;
  error: ApiError | null;
  regions: boolean;
}) {
  return (
    <form
      className="witness-panel"
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
      aria-label="Your choice"
    >
      <p className="witness-step">{chosenNumber ? `You chose face ${chosenNumber}.` : "Tap a face to choose it."}</p>
      <RatingInput value={draft.rating} onChange={(rating) => setDraft((d) => ({ ...d, rating }))} label="How close is it?" large />
      <div className="field">
        <label htmlFor="witness-feedback">What should be different?</label>
        <textarea
          id="witness-feedback"
          rows={4}
          value={draft.feedback}
          placeholder="For example: the nose was wider, the hair shorter"
          onChange={(e) => setDraft((d) => ({ ...d, feedback: e.target.value }))}
        />
      </div>
      {regions && (
        <div className="field">
          <span className="field-label">Which part is most wrong?</span>
          <RegionPicker value={draft.region} onChange={(region) => setDraft((d) => ({ ...d, region }))} large />
        </div>
      )}
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
