import { NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { isAdmin, useAuth } from "../auth";
import { SystemBanners } from "../health";

function Wordmark() {
  return (
    <span className="wordmark">
      <svg viewBox="0 0 32 32" width="22" height="22" aria-hidden="true">
        <rect width="32" height="32" rx="7" fill="currentColor" />
        <path d="M16 7c-4.4 0-7 3.3-7 7.6 0 3.1 1.3 5.6 3 7.2.9.9 1.4 2 1.4 3.2h5.2c0-1.2.5-2.3 1.4-3.2 1.7-1.6 3-4.1 3-7.2C23 10.3 20.4 7 16 7z" fill="none" stroke="#fff" strokeWidth="1.6" strokeLinecap="round" />
      </svg>
      Likeness
    </span>
  );
}

/** The frame of every artist and admin page: top bar, banners, content. */
export function Layout() {
  const { user, logout } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  return (
    <div className="app-shell">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/cases" className="topbar-brand" aria-label="Likeness — cases">
          <Wordmark />
        </NavLink>
        <nav aria-label="Main" className="topbar-nav">
          <NavLink to="/cases">Cases</NavLink>
          {isAdmin(user) && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <div className="topbar-user">
          {user && (
            <span className="topbar-username" title={`Signed in as ${user.username} (${user.role})`}>
              {user.username} <span className="muted">· {user.role}</span>
            </span>
          )}
          <button
            type="button"
            className="btn btn-quiet btn-small"
            onClick={async () => {
              await logout();
              navigate("/login", { replace: true, state: { from: location.pathname } });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <SystemBanners />
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
