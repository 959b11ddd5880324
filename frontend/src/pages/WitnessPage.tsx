import { useParams } from "react-router";
import { api } from "../api";
import { useDocumentTitle, useInterval, useResource } from "../hooks";
import { useJobProgress } from "../jobProgress";
import { ErrorNotice, Loading } from "../components/ui";
import { WitnessScreen } from "../components/WitnessScreen";
import { busyRound, witnessScreen } from "../lib/witnessView";
import { evolveRoundBody } from "../lib/evolve";

/**
 * The screen turned toward the witness in the interview room (the artist is
 * signed in on this browser): this session's faces through `WitnessScreen`.
 * A witness on another device uses a witness link instead (WitnessLinkPage).
 */
export function WitnessPage() {
  const { sessionId = "" } = useParams();
  useDocumentTitle("Witness view");
  const session = useResource((signal) => api.getSession(sessionId, signal), sessionId);
  const s = session.data;
  const screen = s ? witnessScreen(s.status, s.rounds) : null;
  const drawing = screen?.kind === "drawing" ? screen.round : undefined;
  const busy = s ? !!busyRound(s.rounds) : false;
  const progress = useJobProgress(drawing?.job_id ?? null, () => session.reload());
  useInterval(session.reload, busy ? 2500 : 5000, s?.status !== "approved");

  return (
    <WitnessScreen
      view={s ?? null}
      fallback={session.error ? <ErrorNotice error={session.error} title="This screen could not load" onRetry={session.reload} /> : <Loading what="the faces" />}
      draftKey={`witness:${sessionId}`}
      progress={progress}
      regions
      markShown={s ? (id) => api.markShown(s.id, id) : null}
      send={async (draft) => {
        if (!s || !draft.pickedId) return;
        const updated = await api.nextRound(s.id, {
          candidate_id: draft.pickedId,
          rating: draft.rating,
          feedback: draft.feedback.trim(),
          region: draft.region || undefined,
        });
        session.setData(updated);
      }}
      evolvePhase
      sendEvolve={async (draft) => {
        if (!s) return;
        session.setData(await api.nextRound(s.id, evolveRoundBody(draft, { phase: true })));
      }}
    />
  );
}
