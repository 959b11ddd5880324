/** The server's health, polled in the background for the banners every page shows. */
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { api, type Health } from "./api";

interface HealthState {
  health: Health | null;
  unreachable: boolean;
}

const HealthContext = createContext<HealthState>({ health: null, unreachable: false });

export function HealthProvider({ children, intervalMs = 30000 }: { children: ReactNode; intervalMs?: number }) {
  const [state, setState] = useState<HealthState>({ health: null, unreachable: false });
  useEffect(() => {
    let stopped = false;
    let timer: number | undefined;
    const check = () => {
      api
        .health()
        .then((health) => !stopped && setState({ health, unreachable: false }))
        .catch(() => !stopped && setState((s) => ({ ...s, unreachable: true })))
        .finally(() => {
          if (!stopped) timer = window.setTimeout(check, intervalMs);
        });
    };
    check();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [intervalMs]);
  return <HealthContext.Provider value={state}>{children}</HealthContext.Provider>;
}

export function useHealth(): HealthState {
  return useContext(HealthContext);
}

/** GET /api/health → queue: rounds waiting, running, and the cap past which new work is refused. */
export interface QueueStatus {
  depth: number;
  running: number;
  max_depth: number;
  full: boolean;
}

export function queueStatus(health: Health | null | undefined): QueueStatus | null {
  const q = health?.queue as Partial<QueueStatus> | undefined;
  return q && typeof q.depth === "number" && typeof q.max_depth === "number"
    ? { depth: q.depth, running: q.running ?? 0, max_depth: q.max_depth, full: Boolean(q.full) }
    : null;
}

/** Persistent banners: demo weights (always), server unreachable, database away, no worker, queue full.
 * A database that does not answer hides the worker banner: the workers' heartbeats are read from it. */
export function SystemBanners({ showWorker = true }: { showWorker?: boolean }) {
  const { health, unreachable } = useHealth();
  const queue = queueStatus(health);
  return (
    <>
      {health?.model?.random_weights && (
        <div className="banner banner-demo" role="status" data-testid="demo-banner">
          <strong>Demo model: random weights — images are noise, not sketches</strong>
          <span className="banner-detail">No real model is installed ({health.model.name}). The workflow runs; the pictures mean nothing.</span>
        </div>
      )}
      {unreachable && (
        <div className="banner banner-warn" role="alert">
          <strong>The Likeness server is not answering.</strong>
          <span className="banner-detail">Your work on this page is kept. Requests will work again once the server is back.</span>
        </div>
      )}
      {health && !unreachable && health.database && !health.database.ok && (
        <div className="banner banner-warn" role="alert" data-testid="database-banner">
          <strong>The database is not answering.</strong>
          <span className="banner-detail">Nothing can be saved right now; try again in a minute. What you typed on this page is kept.</span>
        </div>
      )}
      {showWorker && health && !unreachable && health.database?.ok !== false && health.worker && !health.worker.ok && (
        <div className="banner banner-warn" role="status">
          {Number(health.worker.warming ?? 0) > 0 ? (
            <strong>A drawing worker is warming up.</strong>
          ) : (
            <strong>No drawing worker is running.</strong>
          )}
          <span className="banner-detail">New rounds will wait in the queue until a worker is ready.</span>
        </div>
      )}
      {health && !unreachable && queue?.full && (
        <div className="banner banner-warn" role="status" data-testid="queue-full-banner">
          <strong>The drawing queue is full ({queue.depth} of {queue.max_depth} waiting).</strong>
          <span className="banner-detail">New rounds are refused until some finish; try again in a few minutes.</span>
        </div>
      )}
    </>
  );
}
