/**
 * Unsaved work kept in sessionStorage, so a session expiry, a failed request or
 * a reload never throws away what someone typed. Keys are namespaced by what
 * they hold (e.g. "interview:<witnessId>").
 */

const PREFIX = "likeness:draft:";

function storage(): Storage | null {
  try {
    return typeof window !== "undefined" ? window.sessionStorage : null;
  } catch {
    return null;
  }
}

export function loadDraft<T>(key: string): T | null {
  const s = storage();
  if (!s) return null;
  try {
    const raw = s.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

export function saveDraft<T>(key: string, value: T): void {
  const s = storage();
  if (!s) return;
  try {
    s.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or blocked: the in-memory state still holds the work.
  }
}

export function clearDraft(key: string): void {
  storage()?.removeItem(PREFIX + key);
}

export function hasDraft(key: string): boolean {
  return !!storage()?.getItem(PREFIX + key);
}

/** Where to return after signing in again. */
const RETURN_KEY = "likeness:return-to";

export function rememberLocation(path: string): void {
  storage()?.setItem(RETURN_KEY, path);
}

export function takeRememberedLocation(): string | null {
  const s = storage();
  const value = s?.getItem(RETURN_KEY) ?? null;
  s?.removeItem(RETURN_KEY);
  return value;
}

/** Only same-app paths are followed after sign-in (no open redirects). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/login")) return "/cases";
  return next;
}
