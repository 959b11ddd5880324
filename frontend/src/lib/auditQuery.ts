/** The audit page's filters (kept in the URL), its pages of events, and the chain check in words. */
import type { AuditEvent, AuditPage, AuditQuery, AuditVerify } from "../api";

/** Events per page unless the URL says otherwise (the server allows up to 1000). */
export const PAGE_SIZE = 200;
export const MAX_PAGE_SIZE = 1000;

/** What the filter form holds; dates are local calendar days (YYYY-MM-DD), `to` inclusive. */
export interface AuditFilters {
  case: string;
  actor: string;
  action: string;
  from: string;
  to: string;
  limit: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const limit = Number(params.get("limit"));
  return {
    case: params.get("case") ?? "",
    actor: params.get("actor") ?? "",
    action: params.get("action") ?? "",
    from: DAY.test(params.get("from") ?? "") ? params.get("from")! : "",
    to: DAY.test(params.get("to") ?? "") ? params.get("to")! : "",
    limit: Number.isInteger(limit) && limit >= 1 ? Math.min(limit, MAX_PAGE_SIZE) : PAGE_SIZE,
  };
}

/** Only the filters that are set, for the URL (the default page size is left out). */
export function filtersToParams(f: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["case", "actor", "action", "from", "to"] as const) {
    const v = f[key].trim();
    if (v) out[key] = v;
  }
  if (f.limit !== PAGE_SIZE) out.limit = String(f.limit);
  return out;
}

/** A sentence saying what to fix, or null when the filters can be sent. */
export function filterProblem(f: AuditFilters): string | null {
  if (f.from && f.to && f.from > f.to) return "“From” is after “To”: pick a start day on or before the end day.";
  const action = f.action.trim();
  if (action.includes("*") && !/^[^*]+\.\*$/.test(action))
    return "An action pattern may only end in “.*”, e.g. round.* for every round event.";
  return null;
}

/** Local midnight of a YYYY-MM-DD day, plus `days`, as ISO 8601 (UTC). */
function dayStart(day: string, days = 0): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + days).toISOString();
}

/** The query for GET /api/audit: `since` is the start of the first day, `until` the end of the last. */
export function toAuditQuery(f: AuditFilters, cursor?: number | null): AuditQuery {
  const q: AuditQuery = { limit: f.limit };
  if (f.case) q.case_id = f.case;
  if (f.actor.trim()) q.actor = f.actor.trim();
  if (f.action.trim()) q.action = f.action.trim();
  if (f.from) q.since = dayStart(f.from);
  if (f.to) q.until = dayStart(f.to, 1);
  if (cursor) q.cursor = cursor;
  return q;
}

/** The pages loaded so far as one list, newest first, each event once. */
export function mergePages(pages: (AuditPage | undefined)[]): AuditEvent[] {
  const seen = new Set<number>();
  const out: AuditEvent[] = [];
  for (const page of pages)
    for (const e of page?.events ?? [])
      if (!seen.has(e.id)) {
        seen.add(e.id);
        out.push(e);
      }
  return out;
}

/** The quick filter over what is loaded: action, user, entity type or outcome contains the text. */
export function matchesText(e: AuditEvent, text: string): boolean {
  const f = text.trim().toLowerCase();
  return !f || [e.action, e.actor, e.entity_type, e.outcome].some((v) => v?.toLowerCase().includes(f));
}

// ---------------------------------------------------------------- the chain check in words

const NUMBER = new Intl.NumberFormat("en");
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export const count = (n: number, one: string, many = `${one}s`) => `${NUMBER.format(n)} ${n === 1 ? one : many}`;

/** "15:42 UTC" today, "30 Nov 2026, 15:42 UTC" another day (the trail's own zone). */
export function utcStamp(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")} UTC`;
  const sameDay = d.toISOString().slice(0, 10) === now.toISOString().slice(0, 10);
  return sameDay ? hm : `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hm}`;
}

export interface ChainSummary {
  ok: boolean;
  /** One line: "Chain intact · 1,204 events · …" or "Chain broken at event #57". */
  headline: string;
  /** For a broken chain: the server's reason and what to do. */
  detail: string | null;
  /** The signing key's fingerprint, shortened; null while there is no key. */
  key: string | null;
}

export function chainSummary(v: AuditVerify, now: Date = new Date()): ChainSummary {
  const key = v.key_sha256 ? `${v.key_sha256.slice(0, 16)}…` : null;
  if (!v.ok) {
    const where = v.first_bad != null ? ` at event #${NUMBER.format(v.first_bad)}` : "";
    const forged = v.forged_heads ? ` ${count(v.forged_heads, "signed head")} failed the signature check.` : "";
    const reason = v.reason ? `${v.reason[0]!.toUpperCase()}${v.reason.slice(1)}.` : "";
    return {
      ok: false,
      headline: `Chain broken${where} (${count(v.events, "event")} checked)`,
      detail: `${reason}${forged} Records from that event on cannot be trusted; preserve the database and tell the system owner.`.trim(),
      key,
    };
  }
  const parts = ["Chain intact", count(v.events, "event")];
  if (v.last_signed_seq != null) {
    parts.push(`last signed head #${NUMBER.format(v.last_signed_seq)}${v.last_signed_at ? ` at ${utcStamp(v.last_signed_at, now)}` : ""}`);
    parts.push(v.unsigned_events ? `${count(v.unsigned_events, "event")} not yet signed` : "every event signed");
  } else if (v.events > 0) {
    parts.push(key ? "no signed head yet" : "no signing key yet");
  }
  return { ok: true, headline: parts.join(" · "), detail: null, key };
}
