import { useEffect, useState, type Dispatch, type SetStateAction } from "react";
import { api, type RoundCreate } from "../../api";
import { useDebounced } from "../../hooks";
import { EMPTY_WORKING, liveAccepted, shownWorking, type Suggestion, type SuggestionsResult, type Working, type WorkingEdits } from "../../lib/working";
import type { RefineDraft } from "./useRefineDraft";

/** The suggester's answer for one feedback text (kept in the draft, so a reload keeps the decisions' context). */
export interface Offered extends SuggestionsResult {
  feedback: string;
}

export function editsOf(refine: RefineDraft, current: Working | null | undefined): WorkingEdits {
  return refine.working ?? { base: current ?? EMPTY_WORKING, accepted: {}, rejected: [] };
}

/** The suggestions offered for the feedback as typed now (null: not asked yet). */
export function offeredNow(refine: RefineDraft): Suggestion[] | null {
  const feedback = refine.feedback.trim();
  if (!feedback) return [];
  return refine.offered && refine.offered.feedback === feedback ? refine.offered.suggestions : refine.offered?.suggestions ?? null;
}

/**
 * The round body's `working` and `accepted_suggestions`: the artist's base and the accepted
 * edits as objects (valid even when the words changed after the suggestions came). Sessions
 * from before the working description send neither.
 */
export function workingInput(refine: RefineDraft, current: Working | null | undefined): Pick<RoundCreate, "working" | "accepted_suggestions"> {
  if (!current) return {};
  const edits = editsOf(refine, current);
  return { working: edits.base, accepted_suggestions: liveAccepted(edits.accepted, offeredNow(refine)) };
}

/** The next round's working description as shown (base + accepted suggestions). */
export function nextWorking(refine: RefineDraft, current: Working, round: number): Working {
  return shownWorking(editsOf(refine, current), offeredNow(refine), round);
}

/** Asks the suggester about the feedback, debounced; the answer goes in the draft. */
export function useSuggestions(sessionId: string, refine: RefineDraft, setRefine: Dispatch<SetStateAction<RefineDraft>>, enabled: boolean) {
  const feedback = useDebounced(refine.feedback.trim(), 500);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const known = refine.offered?.feedback === feedback;

  useEffect(() => {
    if (!enabled || !feedback || known) return;
    const controller = new AbortController();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the effect owns the request
    setPending(true);
    api
      .suggestEdits(sessionId, feedback, controller.signal)
      .then((answer) => {
        setError(null);
        setRefine((r) => ({ ...r, offered: { ...answer, feedback } }));
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) setError(err instanceof Error ? err.message : String(err));
      })
      .finally(() => !controller.signal.aborted && setPending(false));
    return () => controller.abort();
  }, [sessionId, feedback, known, enabled, setRefine]);

  const typing = refine.feedback.trim() !== feedback;
  return { pending: pending || (typing && !!refine.feedback.trim()), error };
}
