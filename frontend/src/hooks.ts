import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from "react";
import { ApiError } from "./api";
import { useAuth } from "./auth";
import { loadDraft, saveDraft, clearDraft } from "./lib/drafts";
import { fitGrid, type GridFit, type GridFitOptions } from "./lib/gridFit";
import { useLatest } from "./lib/useLatest";

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  /** Refetch; keeps showing the old data while it loads. */
  reload: () => void;
  setData: Dispatch<SetStateAction<T | undefined>>;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(-1, err instanceof Error ? err.message : String(err));
}

/**
 * Loads data for a page. Refetches when `key` changes and after a re-sign-in;
 * a failed refetch keeps the last good data on screen next to the error.
 */
export function useResource<T>(fetcher: (signal: AbortSignal) => Promise<T>, key: string | null): Resource<T> {
  const { epoch } = useAuth();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const [tick, setTick] = useState(0);
  const fetcherRef = useLatest(fetcher);
  const lastKey = useRef<string | null>(key);

  useEffect(() => {
    if (key === null) {
      // eslint-disable-next-line react-hooks/set-state-in-effect -- no key: nothing is loading (the effect owns the request)
      setLoading(false);
      return;
    }
    if (lastKey.current !== key) {
      lastKey.current = key;
      setData(undefined);
    }
    const controller = new AbortController();
    setLoading(true);
    fetcherRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(null);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setError(toApiError(err));
        setLoading(false);
      });
    return () => controller.abort();
  }, [key, tick, epoch, fetcherRef]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

/** A piece of state mirrored into sessionStorage under `key` (null = not persisted). */
export function useDraftState<T>(key: string | null, initial: T | (() => T)): [T, Dispatch<SetStateAction<T>>, () => void] {
  const [value, setValue] = useState<T>(() => {
    const stored = key ? loadDraft<T>(key) : null;
    if (stored !== null) return stored;
    return typeof initial === "function" ? (initial as () => T)() : initial;
  });
  const keyRef = useRef(key);
  useEffect(() => {
    if (keyRef.current !== key) {
      keyRef.current = key;
      const stored = key ? loadDraft<T>(key) : null;
      // eslint-disable-next-line react-hooks/set-state-in-effect -- another key: that key's stored draft replaces this one
      if (stored !== null) setValue(stored);
    }
  }, [key]);
  useEffect(() => {
    if (key) saveDraft(key, value);
  }, [key, value]);
  const discard = useCallback(() => {
    if (keyRef.current) clearDraft(keyRef.current);
  }, []);
  return [value, setValue, discard];
}

export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setDebounced(value), delayMs);
    return () => window.clearTimeout(id);
  }, [value, delayMs]);
  return debounced;
}

/** Runs `fn` every `ms` while `enabled` and the tab is visible. */
export function useInterval(fn: () => void, ms: number, enabled: boolean): void {
  const fnRef = useLatest(fn);
  useEffect(() => {
    if (!enabled) return;
    const id = window.setInterval(() => {
      if (document.visibilityState === "visible") fnRef.current();
    }, ms);
    return () => window.clearInterval(id);
  }, [ms, enabled, fnRef]);
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Likeness` : "Likeness";
  }, [title]);
}

/** Wraps an async action: tracks pending state and keeps the last error for display. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const { epoch } = useAuth();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // After signing in again, a "session expired" error no longer applies.
  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- after signing in again, a 401 error no longer applies
    setError((e) => (e?.status === 401 ? null : e));
  }, [epoch]);
  const fnRef = useLatest(fn);
  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await fnRef.current(...args);
    } catch (err) {
      setError(toApiError(err));
      return undefined;
    } finally {
      setPending(false);
    }
  }, [fnRef]);
  const clearError = useCallback(() => setError(null), []);
  return { run, pending, error, clearError };
}

/**
 * Measures the space a grid of `count` square images has (its element's width,
 * and the viewport height below the element's top) and returns the layout that
 * shows them all as large as possible. Attach the returned callback as `ref`.
 */
export function useGridFit(
  count: number,
  opts: GridFitOptions & { bottomReserve?: number },
): [(el: HTMLElement | null) => void, GridFit | null] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [fit, setFit] = useState<GridFit | null>(null);
  const optsKey = JSON.stringify(opts);
  useEffect(() => {
    if (!el) return;
    const { bottomReserve = 24, ...gridOpts } = JSON.parse(optsKey) as GridFitOptions & { bottomReserve?: number };
    const measure = () => {
      const rect = el.getBoundingClientRect();
      const width = el.clientWidth;
      if (!width) return;
      const height = window.innerHeight - (rect.top + window.scrollY) - bottomReserve;
      const next = fitGrid(count, width, height, gridOpts);
      setFit((prev) => (prev && prev.columns === next.columns && prev.size === next.size ? prev : next));
    };
    measure();
    const observer = typeof ResizeObserver !== "undefined" ? new ResizeObserver(measure) : null;
    observer?.observe(el);
    window.addEventListener("resize", measure);
    return () => {
      observer?.disconnect();
      window.removeEventListener("resize", measure);
    };
  }, [el, count, optsKey]);
  return [setEl, fit];
}

/**
 * Calls `report(id)` once for every id that appears (a face put on screen is
 * recorded as shown); an id whose report failed is tried again next time.
 */
export function useReportOnce(ids: string[], report: ((id: string) => Promise<unknown>) | null): void {
  const reported = useRef(new Set<string>());
  const reportRef = useLatest(report);
  const key = ids.join(",");
  const enabled = report !== null;
  useEffect(() => {
    const send = reportRef.current;
    if (!send || !key) return;
    for (const id of key.split(",")) {
      if (reported.current.has(id)) continue;
      reported.current.add(id);
      send(id).catch(() => reported.current.delete(id));
    }
  }, [key, enabled, reportRef]);
}

/** The current time, refreshed every `ms` (for "expires in 12 min"). */
export function useNow(ms = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}
