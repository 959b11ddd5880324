import { useCallback, useEffect, useMemo, type ReactNode } from "react";
import { useAction, useDraftState, useReportOnce } from "../hooks";
import type { ProgressLike } from "../lib/progress";
import { busyRound, checkWitnessChoice, EMPTY_WITNESS_DRAFT, sortedFaces, witnessScreen, type WitnessDraft, type WitnessFaceLike, type WitnessRoundLike } from "../lib/witnessView";
import { WitnessFrame } from "./WitnessFrame";
import { WitnessChoiceForm, WitnessFaces } from "./WitnessChoice";
import { WitnessDrawing, WitnessThanks, WitnessWaiting } from "./WitnessMessage";
import { EvolveWitness } from "./EvolveWitness";
import { isEvolve, type EvolveDraft } from "../lib/evolve";

/** What the witness screen needs from either source: the artist's session or a witness link's view. */
export interface WitnessScreenView {
  status: string;
  rounds: WitnessRoundLike[];
}

/**
 * The screen turned toward the witness, for both the interview room
 * (/witness/:id, the artist signed in) and a witness link on another device
 * (/w): only the newest faces, large; pick one, rate it, say what to change.
 * The page that owns it loads the view and sends the choice; until there is a
 * view, `fallback` shows (loading, an error, a link that ended).
 */
export function WitnessScreen({
  view,
  fallback,
  banner,
  draftKey,
  progress,
  regions,
  markShown,
  send,
  sendEvolve,
  evolvePhase = false,
}: {
  view: WitnessScreenView | null;
  fallback: ReactNode;
  banner?: ReactNode;
  /** Where the witness's unsent choice is kept (null: nowhere yet). */
  draftKey: string | null;
  /** Live progress of the round being drawn; without it, the round's own step counts show. */
  progress?: ProgressLike | null;
  /** Offer "which part is most wrong?" (the room's screen does; the link does not). */
  regions: boolean;
  /** Records that the witness was shown a face (once per face). */
  markShown: ((candidateId: string) => Promise<unknown>) | null;
  /** Starts the next round from the witness's choice. */
  send: (draft: WitnessDraft) => Promise<unknown>;
  /** Model evolve: starts the next array from the witness's picks (or none of these). */
  sendEvolve?: (draft: EvolveDraft) => Promise<unknown>;
  /** Model evolve: offer the phase (internal / external features). */
  evolvePhase?: boolean;
}) {
  const screen = view ? witnessScreen(view.status, view.rounds) : null;
  const shown = screen?.kind === "choose" ? screen.round : undefined;
  const faces = useMemo(() => (shown ? sortedFaces(shown) : []), [shown]);
  const busy = view ? !!busyRound(view.rounds) : false;

  const [draft, setDraft, discard] = useDraftState<WitnessDraft>(draftKey, EMPTY_WITNESS_DRAFT);
  // A new round means a fresh choice.
  useEffect(() => {
    if (shown && draft.roundIndex !== shown.index) setDraft({ ...EMPTY_WITNESS_DRAFT, roundIndex: shown.index });
  }, [shown, draft.roundIndex, setDraft]);

  // Record, once per face, that the witness was shown it. An evolved array records its own,
  // page by page: the faces of page 2 are not in view until the witness turns to it.
  const evolving = !!(shown && sendEvolve && isEvolve(shown.model));
  useReportOnce(
    evolving ? [] : faces.map((f) => f.id),
    markShown,
  );

  const pick = useCallback((face: WitnessFaceLike) => setDraft((d) => ({ ...d, pickedId: face.id })), [setDraft]);

  const submit = useAction(async () => {
    const problem = checkWitnessChoice(draft);
    if (problem) throw problem;
    if (!draft.pickedId) return undefined;
    const result = await send(draft);
    discard();
    return result;
  });

  // A hint like "choose how close it is" goes once the witness does so.
  const clearSendError = submit.clearError;
  useEffect(() => {
    clearSendError();
  }, [draft.pickedId, draft.rating, draft.region, clearSendError]);

  let body: ReactNode;
  if (!view || !screen) {
    body = fallback;
  } else if (screen.kind === "thanks") {
    body = <WitnessThanks />;
  } else if (screen.kind === "drawing") {
    const r = screen.round;
    body = <WitnessDrawing progress={progress ?? { status: r.status, step: r.step ?? 0, total_steps: r.total_steps ?? 0 }} />;
  } else if (screen.kind === "waiting") {
    body = <WitnessWaiting failed={screen.failed} />;
  } else if (shown && sendEvolve && evolving) {
    body = (
      <EvolveWitness roundIndex={shown.index} faces={faces} draftKey={draftKey} busy={busy} phase={evolvePhase} send={sendEvolve} markShown={markShown} />
    );
  } else {
    const chosen = faces.findIndex((f) => f.id === draft.pickedId);
    body = (
      <div className="witness-layout">
        <WitnessFaces faces={faces} pickedId={draft.pickedId} onPick={pick} />
        <WitnessChoiceForm
          chosenNumber={chosen >= 0 ? chosen + 1 : null}
          draft={draft}
          setDraft={setDraft}
          onSend={() => void submit.run()}
          sending={submit.pending}
          busy={busy}
          error={submit.error}
          regions={regions}
        />
      </div>
    );
  }
  return (
    <WitnessFrame>
      {banner}
      {body}
    </WitnessFrame>
  );
}
