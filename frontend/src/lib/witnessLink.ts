/**
 * Witness links: a time-limited address that opens one session's witness view
 * on another device. The one-time token rides in the URL's fragment (`/w#token`),
 * which browsers never send to a server; the page takes it out of the address bar
 * at once and trades it for a cookie.
 */

/** How long a new link may be opened, in minutes (the artist chooses one). */
export const LINK_MINUTES = [15, 30, 60, 120] as const;
export type LinkMinutes = (typeof LINK_MINUTES)[number];

/** The path a witness link opens; the token is never part of it. */
export const WITNESS_LINK_PATH = "/w";

/** The sentence a witness reads when a link cannot be used (any 401 from the witness routes). */
/** The link's session was approved or closed (the view answers `ended: true`). */
export const SESSION_ENDED = "This session has ended";
export const LINK_ENDED = "This link has expired or was already used — ask the officer for a new one.";

export function minutesLabel(minutes: number): string {
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    return hours === 1 ? "1 hour" : `${hours} hours`;
  }
  return `${minutes} minutes`;
}

/**
 * The token in a witness link's fragment ("#abc…"), or null when there is none
 * or it cannot be one (the server issues 43 URL-safe base64 characters).
 */
export function linkTokenFrom(hash: string): string | null {
  const raw = hash.startsWith("#") ? hash.slice(1) : hash;
  let token: string;
  try {
    token = decodeURIComponent(raw).trim();
  } catch {
    return null;
  }
  return /^[A-Za-z0-9_-]{20,200}$/.test(token) ? token : null;
}

interface LocationLike {
  hash: string;
  pathname: string;
}
interface HistoryLike {
  state: unknown;
  replaceState: (data: unknown, unused: string, url?: string | URL | null) => void;
}

/**
 * Reads the token from the address and replaces the address with the bare path
 * at once, so it is neither on screen, in the history nor in a screenshot.
 * Returns null when the address carries no token (a reload of /w).
 */
export function takeLinkToken(location: LocationLike, history: HistoryLike): string | null {
  if (!location.hash) return null;
  const token = linkTokenFrom(location.hash);
  history.replaceState(history.state, "", location.pathname || WITNESS_LINK_PATH);
  return token;
}

function clock(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

/** Whole minutes left before `expiresAt` (to the nearest), 0 once it has passed. */
export function minutesLeft(expiresAt: string, now: number): number {
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return 0;
  return Math.max(0, Math.round((end - now) / 60_000));
}

export function isExpired(expiresAt: string, now: number): boolean {
  const end = Date.parse(expiresAt);
  return Number.isNaN(end) || end <= now;
}

/** "Expires 14:32 (in 29 min)", "Expires 14:32 (in under a minute)", "Expired at 14:32". */
export function expiryLabel(expiresAt: string, now: number): string {
  const end = new Date(expiresAt);
  if (Number.isNaN(end.getTime())) return "Expiry unknown";
  if (isExpired(expiresAt, now)) return `Expired at ${clock(end)}`;
  const ms = end.getTime() - now;
  if (ms < 60_000) return `Expires ${clock(end)} (in under a minute)`;
  const left = Math.max(1, minutesLeft(expiresAt, now));
  const span = left >= 120 ? `${Math.floor(left / 60)} h${left % 60 ? ` ${left % 60} min` : ""}` : `${left} min`;
  return `Expires ${clock(end)} (in ${span})`;
}

/** A link the artist made in this tab. The address is kept in memory only, never in storage. */
export interface IssuedLink {
  id: string;
  expires_at: string;
  created_at: string;
  revoked: boolean;
}

export type LinkState = "active" | "expired" | "revoked";

export function linkState(link: IssuedLink, now: number): LinkState {
  if (link.revoked) return "revoked";
  return isExpired(link.expires_at, now) ? "expired" : "active";
}

/** The newest link that can still be opened, if any. */
export function activeLink(links: IssuedLink[], now: number): IssuedLink | undefined {
  return links.filter((l) => linkState(l, now) === "active").sort((a, b) => b.created_at.localeCompare(a.created_at))[0];
}

/** Newest first; a new link goes on top, revoking marks one without forgetting it. */
export function addLink(links: IssuedLink[], link: IssuedLink): IssuedLink[] {
  return [link, ...links.filter((l) => l.id !== link.id)];
}

export function markRevoked(links: IssuedLink[], id: string): IssuedLink[] {
  return links.map((l) => (l.id === id ? { ...l, revoked: true } : l));
}
