import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { ApiError, witnessApi, type WitnessView } from "../api";
import { useDocumentTitle, useInterval } from "../hooks";
import { ErrorNotice, Loading } from "../components/ui";
import { WitnessMessage } from "../components/WitnessMessage";
import { WitnessScreen } from "../components/WitnessScreen";
import { LINK_ENDED, SESSION_ENDED, takeLinkToken } from "../lib/witnessLink";
import { witnessPollMs } from "../lib/witnessView";
import { witnessEvolveBody } from "../lib/evolve";

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

  // Approved or closed: the server shows no more faces (`ended`), and this screen says so.
  const sessionEnded = phase.kind === "open" && !!phase.view.ended;
  const view = phase.kind === "open" && !sessionEnded ? phase.view : null;

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

  let fallback: ReactNode = null;
  if (sessionEnded) {
    fallback = (
      <WitnessMessage title={SESSION_ENDED}>
        <p>Thank you. There is nothing more to look at; you can close this page.</p>
      </WitnessMessage>
    );
  } else if (phase.kind === "opening") {
    fallback = <Loading what="the faces" />;
  } else if (phase.kind === "ended") {
    fallback = <WitnessMessage title={LINK_ENDED} alert />;
  } else if (phase.kind === "failed") {
    fallback = (
      <ErrorNotice
        error={phase.error}
        title="This screen could not open"
        onRetry={() => {
          setPhase({ kind: "opening" });
          setAttempt((n) => n + 1);
        }}
      />
    );
  }
  const csrf = view?.csrf_token ?? null;
  return (
    <WitnessScreen
      view={view}
      fallback={fallback}
      banner={
        offline &&
        phase.kind === "open" && (
          <p className="witness-offline" role="status">
            The connection dropped. Trying again…
          </p>
        )
      }
      draftKey={view ? `witness-link:${view.session_id}` : null}
      regions={false}
      markShown={csrf ? (id) => witnessApi.shown(csrf, id) : null}
      send={async (draft) => {
        if (!csrf || !draft.pickedId) return;
        try {
          const next = await witnessApi.pick(csrf, { candidate_id: draft.pickedId, rating: draft.rating, feedback: draft.feedback.trim() });
          setPhase({ kind: "open", view: next });
        } catch (err) {
          if (isEnded(err)) setPhase({ kind: "ended" });
          throw err;
        }
      }}
      sendEvolve={async (draft) => {
        if (!csrf) return;
        try {
          setPhase({ kind: "open", view: await witnessApi.pick(csrf, witnessEvolveBody(draft)) });
        } catch (err) {
          if (isEnded(err)) setPhase({ kind: "ended" });
          throw err;
        }
      }}
    />
  );
}
