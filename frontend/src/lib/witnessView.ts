/**
 * What the witness screen shows, from a session's rounds: the same rules for the
 * screen in the interview room (/witness/:id, the artist signed in) and for a
 * witness link on another device (/w). Only the newest faces, large; nothing
 * about the case.
 */
import { ApiError, type JobStatus, type Region } from "../api";

export interface WitnessFaceLike {
  id: string;
  index: number;
  image_url: string;
}

export interface WitnessRoundLike {
  index: number;
  status: JobStatus;
  step?: number;
  total_steps?: number;
  /** The round's model: `evolve` shows an array to pick several from. */
  model?: string;
  candidates: WitnessFaceLike[];
}

export type WitnessScreen<R extends WitnessRoundLike> =
  | { kind: "thanks" }
  | { kind: "drawing"; round: R }
  | { kind: "waiting"; failed: boolean }
  | { kind: "choose"; round: R };

function isBusy(status: JobStatus): boolean {
  return status === "queued" || status === "running";
}

/** The newest round whose faces are drawn. */
export function shownRound<R extends WitnessRoundLike>(rounds: R[]): R | undefined {
  return rounds
    .filter((r) => r.status === "succeeded" && r.candidates.length > 0)
    .reduce<R | undefined>((best, r) => (!best || r.index > best.index ? r : best), undefined);
}

/** The round being drawn now, if any (at most one at a time). */
export function busyRound<R extends WitnessRoundLike>(rounds: R[]): R | undefined {
  return rounds.filter((r) => isBusy(r.status)).sort((a, b) => b.index - a.index)[0];
}

export function newestRound<R extends WitnessRoundLike>(rounds: R[]): R | undefined {
  return rounds.reduce<R | undefined>((best, r) => (!best || r.index > best.index ? r : best), undefined);
}

/**
 * Approved → thank you. A round newer than the faces on screen being drawn →
 * "drawing new faces". No faces yet → waiting. Otherwise the faces to choose from.
 */
export function witnessScreen<R extends WitnessRoundLike>(status: string, rounds: R[]): WitnessScreen<R> {
  if (status === "approved") return { kind: "thanks" };
  const shown = shownRound(rounds);
  const busy = busyRound(rounds);
  if (busy && (!shown || busy.index > shown.index)) return { kind: "drawing", round: busy };
  if (!shown) return { kind: "waiting", failed: newestRound(rounds)?.status === "failed" };
  return { kind: "choose", round: shown };
}

/** The faces in the order the witness sees them (1, 2, 3…). */
export function sortedFaces<F extends WitnessFaceLike>(round: { candidates: F[] }): F[] {
  return [...round.candidates].sort((a, b) => a.index - b.index);
}

/** How often to ask the server again: quickly while faces are drawn, slowly while the witness looks; never once done. */
export function witnessPollMs(status: string, rounds: WitnessRoundLike[]): number {
  if (status === "approved") return 0;
  return busyRound(rounds) ? 1500 : 5000;
}

/** Plain words for the witness while new faces are drawn: no queues or workers. */
export function witnessProgressText(p: { status: string; step?: number; total_steps?: number }): string {
  const total = p.total_steps ?? 0;
  if (p.status === "queued" || !total) return "Getting ready…";
  const left = total - (p.step ?? 0);
  return left <= Math.max(1, total / 5) ? "Almost there…" : "This takes a few seconds.";
}

/** Plain words for the witness when sending fails; the choice on screen is kept. */
export function witnessErrorText(err: ApiError): string {
  if (err.status === -1) return err.message; // our own hint, e.g. "choose how close it is"
  if (err.status === 409) return "New faces are already being drawn. Please wait a moment.";
  if (err.status === 422 && /region|mask/i.test(err.message)) {
    return "The drawing could not focus on that part of this face. Choose “Whole face” and try again.";
  }
  if (err.status === 0) return "The connection dropped. Your choice is kept — try again in a moment.";
  return "That did not go through. Your choice is kept — please tell the artist.";
}

/** The witness's choice, kept until the server takes it. */
export interface WitnessDraft {
  roundIndex: number | null;
  pickedId: string | null;
  rating: number | null;
  feedback: string;
  region: "" | Region;
}

export const EMPTY_WITNESS_DRAFT: WitnessDraft = { roundIndex: null, pickedId: null, rating: null, feedback: "", region: "" };

/** Checks a choice before it is sent; the error's message is shown to the witness as is. */
export function checkWitnessChoice(draft: WitnessDraft): ApiError | null {
  if (!draft.pickedId) return new ApiError(-1, "Tap the face that is closest first.");
  if (draft.rating === null) return new ApiError(-1, "Choose how close it is, from 0 to 10.");
  return null;
}
