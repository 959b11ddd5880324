import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { ApiError, witnessApi, type WitnessView } from "../api";
import { useAction, useDocumentTitle, useDraftState, useInterval, useReportOnce } from "../hooks";
import { ErrorNotice, Loading } from "../components/ui";
import { WitnessFrame } from "../components/WitnessFrame";
import { WitnessChoiceForm, WitnessFaces } from "../components/WitnessChoice";
import { WitnessDrawing, WitnessMessage, WitnessThanks, WitnessWaiting } from "../components/WitnessMessage";
import { LINK_ENDED, takeLinkToken } from "../lib/witnessLink";
import { busyRound, checkWitnessChoice, EMPTY_WITNESS_DRAFT, sortedFaces, witnessPollMs, witnessScreen, type WitnessDraft, type WitnessFaceLike } from "../lib/witnessView";

type Phase = { kind: "opening" } | { kind: "open"; view: WitnessView } | { kind: "ended" } | { kind: "failed"; error: ApiError };

function isEnded(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
}

function isConnection(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || err.status >= 500);
}

// A token is traded once. Sharing the request in flight means a second mount
// (React's development double-run, a quick remount) waits for the same answer
// instead of spending the token twice and reading its own "already used".
const exchanges = new Map<string, Promise<WitnessView>>();

function exchangeOnce(token: string): Promise<WitnessView> {
  let pending = exchanges.get(token);
  if (!pending) {
    pending = witnessApi.exchange(token);
    exchanges.set(token, pending);
    const forget = () => exchanges.delete(token);
    pending.then(forget, forget);
  }
  return pending;
}

/** Opens the view: with the link's token if the address had one, else with this device's cookie. */
async function openView(token: string | null): Promise<WitnessView> {
  if (!token) return witnessApi.session();
  try {
    return await exchangeOnce(token);
  } catch (err) {
    // Tapping the same link again on the device that opened it: the token is spent, the cookie still works.
    if (isEnded(err)) return witnessApi.session();
    throw err;
  }
}

/**
 * The witness screen on another device, opened with a time-limited link
 * (`/w#token`). No account, no case data: the link's token is taken out of the
 * address bar at once and traded for a cookie that shows this one session's
 * faces until the link expires or the officer revokes it.
 */
export function WitnessLinkPage() {
  useDocumentTitle("Witness view");
  const token = useRef<string | null | undefined>(undefined);
  const [phase, setPhase] = useState<Phase>({ kind: "opening" });
  const [attempt, setAttempt] = useState(0);
  const [offline, setOffline] = useState(false);

  // Before the first paint: the token leaves the address bar (and so the history and any screenshot).
  useLayoutEffect(() => {
    if (token.current === undefined) token.current = takeLinkToken(window.location, window.history);
  }, []);

  useEffect(() => {
    let cancelled = false;
    openView(token.current ?? null)
      .then((view) => {
        if (cancelled) return;
        token.current = null; // spent: a retry or a reload uses the cookie
        setPhase({ kind: "open", view });
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        if (isEnded(err)) setPhase({ kind: "ended" });
        else setPhase({ kind: "failed", error: err instanceof ApiError ? err : new ApiError(0, String(err)) });
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const view = phase.kind === "open" ? phase.view : null;

  // Ask again: quickly while faces are drawn, slowly while the witness looks.
  const inFlight = useRef(false);
  const refresh = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    witnessApi
      .session()
      .then((next) => {
        setOffline(false);
        setPhase((p) => (p.kind === "open" ? { kind: "open", view: next } : p));
      })
      .catch((err: unknown) => {
        if (isEnded(err)) setPhase({ kind: "ended" });
        else if (isConnection(err)) setOffline(true);
      })
      .finally(() => {
        inFlight.current = false;
      });
  }, []);
  const pollMs = view ? witnessPollMs(view.status, view.rounds) : 0;
  useInterval(refresh, pollMs || 5000, pollMs > 0);

  // The link's time runs out on this screen too, even with no request in between.
  const expiresAt = view?.expires_at;
  useEffect(() => {
    if (!expiresAt) return;
    const ms = Date.parse(expiresAt) - Date.now();
    if (Number.isNaN(ms)) return;
    const id = window.setTimeout(() => setPhase({ kind: "ended" }), Math.max(0, Math.min(ms + 500, 2 ** 31 - 1)));
    return () => window.clearTimeout(id);
  }, [expiresAt]);

  const screen = view ? witnessScreen(view.status, view.rounds) : null;
  const shown = screen?.kind === "choose" ? screen.round : undefined;
  const faces = useMemo(() => (shown ? sortedFaces(shown) : []), [shown]);
  const busy = view ? !!busyRound(view.rounds) : false;

  const [draft, setDraft, discard] = useDraftState<WitnessDraft>(view ? `witness-link:${view.session_id}` : null, EMPTY_WITNESS_DRAFT);
  useEffect(() => {
    if (shown && draft.roundIndex !== shown.index) setDraft({ ...EMPTY_WITNESS_DRAFT, roundIndex: shown.index });
  }, [shown, draft.roundIndex, setDraft]);

  const csrf = view?.csrf_token ?? null;
  useReportOnce(
    faces.map((f) => f.id),
    csrf ? (id) => witnessApi.shown(csrf, id) : null,
  );

  const pick = useCallback((face: WitnessFaceLike) => setDraft((d) => ({ ...d, pickedId: face.id })), [setDraft]);

  const send = useAction(async () => {
    const problem = checkWitnessChoice(draft);
    if (problem) throw problem;
    if (!csrf || !draft.pickedId) return undefined;
    try {
      const next = await witnessApi.pick(csrf, { candidate_id: draft.pickedId, rating: draft.rating, feedback: draft.feedback.trim() });
      discard();
      setPhase({ kind: "open", view: next });
      return next;
    } catch (err) {
      if (isEnded(err)) setPhase({ kind: "ended" });
      throw err;
    }
  });
  const clearSendError = send.clearError;
  useEffect(() => {
    clearSendError();
  }, [draft.pickedId, draft.rating, clearSendError]);

  let body;
  if (phase.kind === "opening") {
    body = <Loading what="the faces" />;
  } else if (phase.kind === "ended") {
    body = <WitnessMessage title={LINK_ENDED} alert />;
  } else if (phase.kind === "failed") {
    body = (
      <ErrorNotice
        error={phase.error}
        title="This screen could not open"
        onRetry={() => {
          setPhase({ kind: "opening" });
          setAttempt((n) => n + 1);
        }}
      />
    );
  } else if (!screen || screen.kind === "thanks") {
    body = <WitnessThanks />;
  } else if (screen.kind === "drawing") {
    body = <WitnessDrawing progress={screen.round} />;
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
          regions={false}
        />
      </div>
    );
  }
  return (
    <WitnessFrame>
      {offline && phase.kind === "open" && (
        <p className="witness-offline" role="status">
          The connection dropped. Trying again…
        </p>
      )}
      {body}
    </WitnessFrame>
  );
}
