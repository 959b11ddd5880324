import { useEffect, useRef, useState } from "react";
import { useAuth } from "../auth";
import { SignInForm } from "./SignInForm";

/**
 * Shown over the current page when the session expires. The page underneath
 * stays mounted, so nothing typed is lost; signing in reloads its data in place.
 */
export function SessionExpiredDialog() {
  const { expired, user, login, logout } = useAuth();
  const [resumed, setResumed] = useState(false);
  const wasExpired = useRef(false);
  useEffect(() => {
    if (expired) wasExpired.current = true;
    else if (wasExpired.current && user) {
      wasExpired.current = false;
      setResumed(true);
      const id = window.setTimeout(() => setResumed(false), 8000);
      return () => window.clearTimeout(id);
    }
  }, [expired, user]);
  if (!expired) {
    return resumed ? (
      <div className="toast" role="status">
        Signed in again. Everything is as you left it — repeat the last action (for example Save) to finish it.
        <button type="button" className="btn btn-quiet btn-small" onClick={() => setResumed(false)} aria-label="Dismiss">
          ×
        </button>
      </div>
    ) : null;
  }
  return (
    <div className="dialog-backdrop dialog-backdrop-strong">
      <div className="dialog dialog-narrow" role="dialog" aria-modal="true" aria-labelledby="expired-title">
        <div className="dialog-head">
          <h2 id="expired-title">Session expired</h2>
        </div>
        <div className="dialog-body stack">
          <p className="muted">
            For security you were signed out. Sign in again to carry on — this page and everything you typed are kept
            exactly as they were.
          </p>
          <SignInForm onSignIn={login} initialUsername={user?.username ?? ""} submitLabel="Sign in and continue" />
          <button type="button" className="btn btn-quiet btn-small" onClick={() => void logout()}>
            Sign in as someone else
          </button>
        </div>
      </div>
    </div>
  );
}
