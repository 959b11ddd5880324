import { useEffect, useRef, useState } from "react";
import type { Round } from "../../api";
import { isFinal } from "../../lib/progress";
import { latestRound } from "../../lib/roundTree";

/** Which round is on screen: it follows the newest unless the artist chose an older one. */
export function useViewedRound(rounds: Round[]) {
  const [chosenRound, setChosenRound] = useState<number | null>(null);
  const lastCount = useRef(rounds.length);
  useEffect(() => {
    if (rounds.length > lastCount.current) setChosenRound(null);
    lastCount.current = rounds.length;
  }, [rounds.length]);
  const latest = latestRound(rounds);
  // A cancelled or failed newest round has nothing to look at: show the newest faces instead.
  const newestWithFaces = [...rounds].reverse().find((r) => r.candidates.length > 0);
  const followed = latest && (latest.candidates.length > 0 || !isFinal(latest.status) || !newestWithFaces) ? latest : newestWithFaces;
  const viewed: Round | undefined = rounds.find((r) => r.index === chosenRound) ?? followed;
  // The newest round failed or was cancelled and an older one is shown in its place.
  const hiddenLatest = latest && viewed && latest.index !== viewed.index && chosenRound === null ? latest : undefined;
  return { chosenRound, setChosenRound, followed, viewed, hiddenLatest };
}

export type ViewedRound = ReturnType<typeof useViewedRound>;
