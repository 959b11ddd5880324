/**
 * Live progress of one job: the SSE stream first, polling GET /api/jobs/{id}
 * if the stream can't be opened or drops before a final status.
 */
import { useEffect, useState } from "react";
import { api, type JobProgress } from "./api";
import { isFinal } from "./lib/progress";
import { useLatest } from "./lib/useLatest";

/** A progress event (SSE data or GET /api/jobs/{id}) in one shape; null if it is not one. */
export function normalizeProgress(raw: unknown): JobProgress | null {
  if (!raw || typeof raw !== "object") return null;
  const value = raw as Partial<JobProgress> & { id?: string };
  if (typeof value.status !== "string") return null;
  return {
    job_id: value.job_id ?? value.id ?? "",
    status: value.status,
    step: Number(value.step ?? 0),
    total_steps: Number(value.total_steps ?? 0),
    error: value.error ?? null,
    preview_url: typeof value.preview_url === "string" && value.preview_url ? value.preview_url : null,
  };
}

export function parseProgress(data: string): JobProgress | null {
  try {
    return normalizeProgress(JSON.parse(data));
  } catch {
    return null;
  }
}

export function useJobProgress(jobId: string | null | undefined, onFinal?: (p: JobProgress) => void): JobProgress | null {
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const onFinalRef = useLatest(onFinal);

  useEffect(() => {
    // eslint-disable-next-line react-hooks/set-state-in-effect -- another job starts from no progress (the effect owns the stream)
    setProgress(null);
    if (!jobId) return;
    let closed = false;
    let source: EventSource | null = null;
    let pollTimer: number | undefined;
    let finished = false;

    const accept = (raw: JobProgress) => {
      const p = normalizeProgress(raw);
      if (!p || closed || finished) return;
      setProgress(p);
      if (isFinal(p.status)) {
        finished = true;
        source?.close();
        window.clearTimeout(pollTimer);
        onFinalRef.current?.(p);
      }
    };

    const poll = () => {
      if (closed || finished) return;
      api
        .getJob(jobId)
        .then(accept)
        .catch(() => undefined)
        .finally(() => {
          if (!closed && !finished) pollTimer = window.setTimeout(poll, 1500);
        });
    };

    // An initial read so the bar shows something before the first event.
    api.getJob(jobId).then(accept).catch(() => undefined);

    if (typeof EventSource !== "undefined") {
      source = new EventSource(api.jobEventsUrl(jobId), { withCredentials: true });
      const handle = (e: MessageEvent<string>) => {
        const p = parseProgress(e.data);
        if (p) accept(p);
      };
      source.addEventListener("progress", handle as EventListener);
      source.onmessage = handle;
      source.onerror = () => {
        // The stream ended or failed: finish with polling (it stops at a final status).
        source?.close();
        source = null;
        if (!finished) poll();
      };
    } else {
      poll();
    }
    return () => {
      closed = true;
      source?.close();
      window.clearTimeout(pollTimer);
    };
  }, [jobId, onFinalRef]);

  return progress;
}
