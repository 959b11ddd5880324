import { useCallback, useEffect, useMemo } from "react";
import { useParams } from "react-router";
import { api, startNextRound } from "../api";
import { useAction, useDocumentTitle, useDraftState, useInterval, useReportOnce, useResource } from "../hooks";
import { useJobProgress } from "../jobProgress";
import { ErrorNotice, Loading } from "../components/ui";
import { WitnessFrame } from "../components/WitnessFrame";
import { WitnessChoiceForm, WitnessFaces } from "../components/WitnessChoice";
import { WitnessDrawing, WitnessThanks, WitnessWaiting } from "../components/WitnessMessage";
import { checkWitnessChoice, EMPTY_WITNESS_DRAFT, sortedFaces, witnessScreen, type WitnessDraft, type WitnessFaceLike } from "../lib/witnessView";

/**
 * The screen turned toward the witness in the interview room (the artist is
 * signed in on this browser): only this session's newest faces, large, with no
 * case data and nobody else's composites. Pick, rate, say what to change.
 * A witness on another device uses a witness link instead (WitnessLinkPage).
 */
export function WitnessPage() {
  const { sessionId = "" } = useParams();
  useDocumentTitle("Witness view");
  const session = useResource((signal) => api.getSession(sessionId, signal), sessionId);
  const s = session.data;
  const screen = s ? witnessScreen(s.status, s.rounds) : null;
  const drawing = screen?.kind === "drawing" ? screen.round : undefined;
  const busy = s?.rounds.some((r) => r.status === "queued" || r.status === "running") ?? false;
  const progress = useJobProgress(drawing?.job_id ?? null, () => session.reload());
  useInterval(session.reload, busy ? 2500 : 5000, s?.status !== "approved");

  const shown = screen?.kind === "choose" ? screen.round : undefined;
  const faces = useMemo(() => (shown ? sortedFaces(shown) : []), [shown]);

  const [draft, setDraft, discard] = useDraftState<WitnessDraft>(`witness:${sessionId}`, EMPTY_WITNESS_DRAFT);
  // A new round means a fresh choice.
  useEffect(() => {
    if (shown && draft.roundIndex !== shown.index) setDraft({ ...EMPTY_WITNESS_DRAFT, roundIndex: shown.index });
  }, [shown, draft.roundIndex, setDraft]);

  // Record, once per face, that the witness was shown it.
  useReportOnce(
    faces.map((f) => f.id),
    s ? (id) => api.markShown(s.id, id) : null,
  );

  const pick = useCallback((face: WitnessFaceLike) => setDraft((d) => ({ ...d, pickedId: face.id })), [setDraft]);

  const send = useAction(async () => {
    const problem = checkWitnessChoice(draft);
    if (problem) throw problem;
    if (!s || !draft.pickedId) return undefined;
    const { session: updated } = await startNextRound(s.id, {
      candidate_id: draft.pickedId,
      rating: draft.rating,
      feedback: draft.feedback.trim(),
      region: draft.region || undefined,
    });
    discard();
    session.setData(updated);
    return updated;
  });

  // A hint like "choose how close it is" goes once the witness does so.
  const clearSendError = send.clearError;
  useEffect(() => {
    clearSendError();
  }, [draft.pickedId, draft.rating, draft.region, clearSendError]);

  let body;
  if (!s || !screen) {
    body = session.error ? <ErrorNotice error={session.error} title="This screen could not load" onRetry={session.reload} /> : <Loading what="the faces" />;
  } else if (screen.kind === "thanks") {
    body = <WitnessThanks />;
  } else if (screen.kind === "drawing") {
    const r = screen.round;
    body = <WitnessDrawing progress={progress ?? { status: r.status, step: r.step ?? 0, total_steps: r.total_steps ?? 0 }} />;
  } else if (screen.kind === "waiting") {
    body = <WitnessWaiting failed={screen.failed} />;
  } else {
    const chosen = faces.findIndex((f) => f.id === draft.pickedId);
    body = (
      <div className="witness-layout">
        <WitnessFaces faces={faces} pickedId={draft.pickedId} onPick={pick} />
        <WitnessChoiceForm
          chosenNumber={chosen >= 0 ? chosen + 1 : null}
          draft={draft}
          setDraft={setDraft}
          onSend={() => void send.run()}
          sending={send.pending}
          busy={busy}
          error={send.error}
          regions
        />
      </div>
    );
  }
  return <WitnessFrame>{body}</WitnessFrame>;
}
