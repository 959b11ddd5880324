/**
 * Filters for the case list. Text and status go to the server (`q`, `status`);
 * the date range and assigned artist are applied here, on the returned list.
 */
import type { CaseSummary } from "../api";

export interface CaseFilters {
  q: string;
  status: "" | "open" | "closed";
  /** Inclusive YYYY-MM-DD bounds on the case date (offence date, else opened). */
  from: string;
  to: string;
  /** Owner username; "" = anyone. */
  artist: string;
}

export const EMPTY_FILTERS: CaseFilters = { q: "", status: "", from: "", to: "", artist: "" };

/** The date a case is filed under: the offence date if known, else the day it was opened. */
export function caseDate(c: Pick<CaseSummary, "occurred_on" | "created_at">): string {
  return c.occurred_on || (c.created_at ? c.created_at.slice(0, 10) : "");
}

export function applyLocalFilters(cases: CaseSummary[], f: Pick<CaseFilters, "from" | "to" | "artist">): CaseSummary[] {
  return cases.filter((c) => {
    const d = caseDate(c);
    if (f.from && (!d || d < f.from)) return false;
    if (f.to && (!d || d > f.to)) return false;
    if (f.artist && c.owner?.username !== f.artist) return false;
    return true;
  });
}

export function artistsOf(cases: CaseSummary[]): string[] {
  return [...new Set(cases.map((c) => c.owner?.username).filter((u): u is string => !!u))].sort((a, b) =>
    a.localeCompare(b),
  );
}

export function filtersFromSearch(search: URLSearchParams): CaseFilters {
  const status = search.get("status");
  return {
    q: search.get("q") ?? "",
    status: status === "open" || status === "closed" ? status : "",
    from: search.get("from") ?? "",
    to: search.get("to") ?? "",
    artist: search.get("artist") ?? "",
  };
}

export function filtersToSearch(f: CaseFilters): URLSearchParams {
  const s = new URLSearchParams();
  (Object.keys(f) as (keyof CaseFilters)[]).forEach((k) => {
    if (f[k]) s.set(k, f[k]);
  });
  return s;
}

export function activeFilterCount(f: CaseFilters): number {
  return (Object.keys(f) as (keyof CaseFilters)[]).filter((k) => !!f[k]).length;
}

export type SortKey = "date" | "reference" | "title" | "status";

export function sortCases(cases: CaseSummary[], key: SortKey, dir: "asc" | "desc"): CaseSummary[] {
  const sign = dir === "asc" ? 1 : -1;
  const value = (c: CaseSummary): string => (key === "date" ? caseDate(c) : String(c[key] ?? ""));
  return [...cases].sort((a, b) => sign * value(a).localeCompare(value(b), undefined, { numeric: true }));
}
