import type { Dispatch, SetStateAction } from "react";
import type { Round } from "../../api";
import { ClauseKinds } from "../../components/ClauseList";
import { Suggestions, type Decision } from "../../components/Suggestions";
import { WorkingDescription } from "../../components/WorkingDescription";
import { sortedCandidates } from "../../lib/roundTree";
import { decide, type Suggestion, type Working, type WorkingEdits } from "../../lib/working";
import type { RefineDraft } from "./useRefineDraft";
import { editsOf, offeredNow, useSuggestions } from "./useWorkingEdits";

/**
 * Under the witness's words: how they read (clause kinds), the suggested edits to accept or
 * reject, and the working description the next round is drawn from.
 */
export function RefineWorking({
  sessionId,
  current,
  refine,
  setRefine,
  viewed,
  nextIndex,
}: {
  sessionId: string;
  current: Working | null | undefined;
  refine: RefineDraft;
  setRefine: Dispatch<SetStateAction<RefineDraft>>;
  viewed: Round | undefined;
  nextIndex: number;
}) {
  const { pending, error } = useSuggestions(sessionId, refine, setRefine, !!current);
  if (!current) return null;
  const edits = editsOf(refine, current);
  const offered = offeredNow(refine);
  const decisions: Record<string, Decision> = {};
  for (const id of Object.keys(edits.accepted)) decisions[id] = "accept";
  for (const id of edits.rejected) decisions[id] = "reject";
  const setEdits = (next: WorkingEdits) => setRefine((r) => ({ ...r, working: next }));
  const onDecide = (s: Suggestion, d: Decision | null) => {
    const next = decide(edits, s, d);
    const pickId = s.kind === "pick" && d === "accept" && viewed ? sortedCandidates(viewed)[(s.candidate_index ?? 0) - 1]?.id : undefined;
    setRefine((r) => ({ ...r, working: next, pickedId: pickId ?? r.pickedId }));
  };
  const feedbackClauses = refine.feedback.trim() && refine.offered?.feedback === refine.feedback.trim() ? refine.offered.clauses : [];

  return (
    <>
      {feedbackClauses.length > 0 && (
        <div className="feedback-read">
          <span className="field-hint">How the words read:</span>
          <ClauseKinds clauses={feedbackClauses} label="The feedback's clauses and their kinds" />
        </div>
      )}
      {refine.feedback.trim() && (
        <Suggestions
          suggestions={offered}
          decisions={decisions}
          onDecide={onDecide}
          onDecideAll={(d) => {
            let next = edits;
            for (const s of offered ?? []) next = decide(next, s, d);
            setEdits(next);
          }}
          pending={pending}
          error={error}
        />
      )}
      <WorkingDescription current={current} edits={edits} onEdits={setEdits} offered={offered} round={nextIndex} />
    </>
  );
}
