import { useCallback, useEffect, useMemo } from "react";
import { useAction, useDraftState } from "../hooks";
import { checkEvolveChoice, EMPTY_EVOLVE, forRound, isFull, togglePick, type EvolveDraft } from "../lib/evolve";
import type { WitnessFaceLike } from "../lib/witnessView";
import { EvolveArray } from "./EvolveArray";
import { EvolveControls } from "./EvolveControls";

/** The witness screen for an evolved array: pick up to three and rate each, or none of these; then new faces. */
export function EvolveWitness({
  roundIndex,
  faces,
  draftKey,
  busy,
  phase,
  send,
  markShown,
}: {
  roundIndex: number;
  /** In the order the witness sees them. */
  faces: WitnessFaceLike[];
  draftKey: string | null;
  busy: boolean;
  /** Offer the phase (internal / external features). */
  phase: boolean;
  send: (draft: EvolveDraft) => Promise<unknown>;
  /** Records a face as shown; called for the faces of the page in view only. */
  markShown: ((faceId: string) => Promise<unknown>) | null;
}) {
  const [draft, setDraft] = useDraftState<EvolveDraft>(draftKey ? `${draftKey}:evolve` : null, EMPTY_EVOLVE);
  // A new array means a fresh choice; the scales and the phase stay.
  useEffect(() => {
    if (draft.roundIndex !== roundIndex) setDraft((d) => forRound(d, roundIndex));
  }, [roundIndex, draft.roundIndex, setDraft]);

  const numbers = useMemo(() => new Map(faces.map((f, i) => [f.id, i + 1])), [faces]);
  const numberOf = useCallback((id: string) => numbers.get(id) ?? null, [numbers]);
  const imageOf = useCallback((id: string) => faces.find((f) => f.id === id)?.image_url ?? null, [faces]);
  const toggle = useCallback((face: WitnessFaceLike) => setDraft((d) => togglePick(d, face.id)), [setDraft]);

  const submit = useAction(async () => {
    const problem = checkEvolveChoice(draft, numberOf);
    if (problem) throw problem;
    const result = await send(draft);
    // Keep the scales and phase for the next array; the choice itself is spent.
    setDraft((d) => forRound(d, -1));
    return result;
  });
  const clearSendError = submit.clearError;
  useEffect(() => {
    clearSendError();
  }, [draft.picks, draft.rejectAll, clearSendError]);

  return (
    <div className="evolve-layout">
      <EvolveArray faces={faces} picks={draft.picks} full={isFull(draft)} onToggle={toggle} onShown={markShown} />
      <EvolveControls
        draft={draft}
        setDraft={setDraft}
        numberOf={numberOf}
        imageOf={imageOf}
        onSend={() => void submit.run()}
        sending={submit.pending}
        busy={busy}
        error={submit.error}
        phase={phase}
      />
    </div>
  );
}
