import { useState } from "react";
import { api, ApiError, type AuditPage } from "../../api";
import { useResource } from "../../hooks";
import { filtersToParams, mergePages, toAuditQuery, type AuditFilters } from "../../lib/auditQuery";

interface Older {
  key: string;
  pages: AuditPage[];
}

/**
 * The trail, newest first: the first page for the filters, then older pages on demand by the
 * server's cursor. Changing the filters starts again from the newest page.
 */
export function useAuditPages(filters: AuditFilters, enabled = true) {
  const key = JSON.stringify(filtersToParams(filters));
  const first = useResource((signal) => api.listAuditPage(toAuditQuery(filters), signal), enabled ? `audit:${key}` : null);
  const [older, setOlder] = useState<Older>({ key, pages: [] });
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<ApiError | null>(null);
  const pages = older.key === key ? older.pages : [];
  const last = pages.length ? pages[pages.length - 1] : first.data;
  const nextCursor = last?.nextCursor ?? null;

  const loadOlder = async () => {
    if (nextCursor === null || loadingOlder) return;
    setLoadingOlder(true);
    setOlderError(null);
    try {
      const page = await api.listAuditPage(toAuditQuery(filters, nextCursor));
      setOlder((o) => ({ key, pages: [...(o.key === key ? o.pages : []), page] }));
    } catch (err) {
      setOlderError(err instanceof ApiError ? err : new ApiError(-1, String(err)));
    } finally {
      setLoadingOlder(false);
    }
  };

  return {
    events: first.data ? mergePages([first.data, ...pages]) : undefined,
    first,
    hasOlder: nextCursor !== null,
    loadOlder,
    loadingOlder,
    olderError,
  };
}
