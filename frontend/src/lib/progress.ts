/** A round's job progress, as a sentence and a bar. */
import type { JobStatus } from "../api";

export interface ProgressLike {
  status: JobStatus;
  step: number;
  total_steps: number;
  error?: string | null;
  preview_url?: string | null;
}

export function progressPercent(p: ProgressLike | null | undefined): number {
  if (!p) return 0;
  if (p.status === "succeeded") return 100;
  if (!p.total_steps || p.total_steps <= 0) return 0;
  return Math.max(0, Math.min(100, (100 * p.step) / p.total_steps));
}

export function progressLabel(p: ProgressLike | null | undefined): string {
  if (!p) return "Waiting for the worker…";
  switch (p.status) {
    case "queued":
      return "Queued — waiting for a free worker";
    case "running":
      return p.total_steps ? `Drawing — step ${p.step} of ${p.total_steps}` : "Drawing — starting";
    case "succeeded":
      return "Done";
    case "failed":
      return `Failed: ${p.error || "the worker reported an error"}`;
    case "cancelled":
      return "Cancelled";
  }
}

export function isFinal(status: JobStatus | undefined): boolean {
  return status === "succeeded" || status === "failed" || status === "cancelled";
}

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: "Queued",
  running: "Drawing",
  succeeded: "Ready",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** The newest per-step preview of a running job, with its caption; null when there is none to show. */
export function previewOf(p: ProgressLike | null | undefined): { url: string; caption: string } | null {
  if (!p || p.status !== "running" || !p.preview_url) return null;
  const url = p.preview_url;
  // The URL names its step (…/preview?step=N); the event's own step is the fallback.
  const match = /[?&]step=(\d+)/.exec(url);
  const step = match ? Number(match[1]) : p.step;
  const caption = p.total_steps ? `Preview, step ${step} of ${p.total_steps}` : `Preview, step ${step}`;
  return { url, caption };
}
