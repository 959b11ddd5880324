import { useEffect, useRef, useState } from "react";
import type { Round } from "../../api";
import { candidateLabel, latestRound, type CandidateRef } from "../../lib/roundTree";

/**
 * The toast over the session. A round this page did not start came from the
 * witness (their screen or a witness link): say so. Mark rounds started here
 * with `startedHereRef` / `submittingRef` so they are not announced as the witness's.
 */
export function useRoundNotice(rounds: Round[], byId: Map<string, CandidateRef>) {
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (!notice) return;
    const id = window.setTimeout(() => setNotice(null), 7000);
    return () => window.clearTimeout(id);
  }, [notice]);
  const startedHereRef = useRef<number | null>(null);
  const submittingRef = useRef(false);
  const seenCount = useRef(rounds.length);
  useEffect(() => {
    if (rounds.length > seenCount.current) {
      const newest = latestRound(rounds);
      if (newest && newest.index !== startedHereRef.current && !submittingRef.current) setNotice(witnessRoundNotice(newest, byId));
    }
    seenCount.current = rounds.length;
  }, [rounds, byId]);
  return { notice, setNotice, startedHereRef, submittingRef };
}

function witnessRoundNotice(round: Round, byId: Map<string, CandidateRef>): string {
  const parent = round.parent_candidate_id ? byId.get(round.parent_candidate_id) : undefined;
  const rated = round.rating !== null ? `, rated ${round.rating}/10` : "";
  return `Round ${round.index} queued from the witness’s pick${parent ? ` ${candidateLabel(parent)}` : ""}${rated}.`;
}
