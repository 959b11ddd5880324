/**
 * Who is signed in, and what happens when the session expires.
 *
 * On a 401 from any request the page stays mounted and a sign-in dialog opens
 * over it: whatever was typed stays on screen (and in sessionStorage drafts), and
 * signing in again bumps `epoch` so pages reload their data in place.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError, onUnauthorized, setCsrfToken, type User } from "./api";
import { useLatest } from "./lib/useLatest";

export type AuthStatus = "loading" | "signed-out" | "signed-in";

interface AuthContextValue {
  status: AuthStatus;
  user: User | null;
  /** True when a signed-in session has expired and the sign-in dialog is open. */
  expired: boolean;
  /** Increments after every (re-)sign-in; data hooks reload when it changes. */
  epoch: number;
  /** Set when the first probe failed for a reason other than 401 (server down). */
  probeError: ApiError | null;
  login: (username: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  retryProbe: () => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>("loading");
  const [user, setUser] = useState<User | null>(null);
  const [expired, setExpired] = useState(false);
  const [epoch, setEpoch] = useState(0);
  const [probeError, setProbeError] = useState<ApiError | null>(null);
  const [probeCount, setProbeCount] = useState(0);
  const statusRef = useLatest(status);

  useEffect(() => {
    let cancelled = false;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- a new probe starts without the last one's error
    setProbeError(null);
    api
      .me()
      .then((state) => {
        if (cancelled) return;
        setUser(state.user);
        setStatus("signed-in");
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        if (err instanceof ApiError && err.status !== 401) setProbeError(err);
        setUser(null);
        setStatus("signed-out");
      });
    return () => {
      cancelled = true;
    };
  }, [probeCount]);

  useEffect(
    () =>
      onUnauthorized(() => {
        if (statusRef.current === "signed-in") setExpired(true);
        else setStatus("signed-out");
      }),
    [statusRef],
  );

  const login = useCallback(async (username: string, password: string) => {
    const state = await api.login(username, password);
    setUser(state.user);
    setStatus("signed-in");
    setExpired(false);
    setProbeError(null);
    setEpoch((e) => e + 1);
    return state.user;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // Signing out locally is what matters; the server session ends with its cookie.
    }
    setCsrfToken(null);
    setUser(null);
    setExpired(false);
    setStatus("signed-out");
  }, []);

  const retryProbe = useCallback(() => {
    setStatus("loading");
    setProbeCount((n) => n + 1);
  }, []);

  const value = useMemo(
    () => ({ status, user, expired, epoch, probeError, login, logout, retryProbe }),
    [status, user, expired, epoch, probeError, login, logout, retryProbe],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

export function isAdmin(user: User | null): boolean {
  return user?.role === "admin";
}
