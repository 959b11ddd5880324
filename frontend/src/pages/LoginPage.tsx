import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useAuth } from "../auth";
import { SystemBanners } from "../health";
import { SignInForm } from "../components/SignInForm";
import { ErrorNotice, Loading } from "../components/ui";
import { safeNext } from "../lib/drafts";
import { useDocumentTitle } from "../hooks";

export function LoginPage() {
  useDocumentTitle("Sign in");
  const { status, login, probeError, retryProbe } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get("next"));

  if (status === "loading") {
    return (
      <div className="center-screen">
        <Loading what="your session" />
      </div>
    );
  }
  if (status === "signed-in") return <Navigate to={next} replace />;

  return (
    <div className="login-screen">
      <SystemBanners showWorker={false} />
      <div className="login-card">
        <div className="login-brand">
          <svg viewBox="0 0 32 32" width="40" height="40" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="currentColor" />
            <path d="M16 7c-4.4 0-7 3.3-7 7.6 0 3.1 1.3 5.6 3 7.2.9.9 1.4 2 1.4 3.2h5.2c0-1.2.5-2.3 1.4-3.2 1.7-1.6 3-4.1 3-7.2C23 10.3 20.4 7 16 7z" fill="none" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
          <div>
            <h1>Likeness</h1>
            <p className="muted">Forensic composite sketches</p>
          </div>
        </div>
        {probeError && <ErrorNotice error={probeError} title="Could not check your session" onRetry={retryProbe} compact />}
        {params.get("next") && <p className="muted small">Sign in to continue where you left off.</p>}
        <SignInForm
          onSignIn={async (u, p) => {
            await login(u, p);
            navigate(next, { replace: true });
          }}
        />
        <p className="login-foot small muted">Every action is recorded in the case audit trail.</p>
      </div>
    </div>
  );
}

export function NotFoundPage() {
  useDocumentTitle("Not found");
  return (
    <div className="empty-state">
      <p className="empty-title">Nothing here</p>
      <p className="empty-text">The address does not match a page. Go back to the case list.</p>
      <a className="btn" href="/cases">
        Open the case list
      </a>
    </div>
  );
}
