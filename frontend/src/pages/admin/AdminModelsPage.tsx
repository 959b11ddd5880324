import { api, type Adapter, type Health } from "../../api";
import { useDocumentTitle, useResource } from "../../hooks";
import { Badge, ErrorNotice, Loading, PageHeader } from "../../components/ui";
import { formatBytes, formatDate, formatTime } from "../../lib/format";
import { strategyChoices, styleLabel } from "../../lib/engine";
import { queueStatus } from "../../health";
import { AdminTabs } from "./AdminTabs";

function HealthRow({ name, ok, detail }: { name: string; ok: boolean | undefined; detail?: string }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <Badge tone={ok ? "success" : "danger"}>{ok ? "OK" : "Not OK"}</Badge>
      </td>
      <td className="muted">{detail}</td>
    </tr>
  );
}

function modelRows(model: Health["model"]): [string, string][] {
  return Object.entries(model)
    .filter(([k]) => k !== "name" && k !== "random_weights" && k !== "ok")
    .map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
}

/** Waiting and running rounds against the cap; "Full" once new rounds are refused. */
function QueueRow({ h }: { h: Health }) {
  const q = queueStatus(h);
  if (!q) return null;
  return (
    <tr data-testid="queue-row">
      <th scope="row">Queue</th>
      <td>
        <Badge tone={q.full ? "danger" : q.depth > q.max_depth * 0.8 ? "warning" : "success"}>{q.full ? "Full" : "OK"}</Badge>
      </td>
      <td className="muted">
        {q.depth} waiting of {q.max_depth} allowed · {q.running} running
      </td>
    </tr>
  );
}

interface WorkerInfo {
  state?: string;
  name?: string;
  last_seen?: string;
  model?: { name?: string; sha256?: string; device?: string; device_name?: string; dtype?: string; random_weights?: boolean; versions?: Record<string, string> };
}

function workerList(h: Health): WorkerInfo[] {
  const list = (h.worker as { workers?: unknown }).workers;
  return Array.isArray(list) ? (list as WorkerInfo[]) : [];
}

/** What each running worker has loaded: the model by hash, device, precision and library versions. */
function WorkersPanel({ workers }: { workers: WorkerInfo[] }) {
  return (
    <section className="panel admin-span" aria-labelledby="workers-title">
      <h2 id="workers-title" className="panel-title">
        Loaded on the workers
      </h2>
      {workers.length === 0 ? (
        <p className="muted">No worker has reported in the last 30 seconds. Rounds wait in the queue until one starts.</p>
      ) : (
        <table className="table table-compact">
          <thead>
            <tr>
              <th>Worker</th>
              <th>Model</th>
              <th>Weights SHA-256</th>
              <th>Device</th>
              <th>Precision</th>
              <th>Libraries</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((w, i) => (
              <tr key={w.name ?? i}>
                <td className="mono">
                  {w.name ?? "—"} {w.state === "warming" && <Badge tone="warning">warming up</Badge>}
                </td>
                <td>
                  {w.model?.name ?? "—"} {w.model?.random_weights && <Badge tone="warning">random</Badge>}
                </td>
                <td className="mono" title={w.model?.sha256}>
                  {w.model?.sha256 ? `${w.model.sha256.slice(0, 12)}…` : "—"}
                </td>
                <td>{w.model?.device_name ?? w.model?.device ?? "—"}</td>
                <td>{w.model?.dtype ?? "—"}</td>
                <td className="small muted">
                  {w.model?.versions
                    ? Object.entries(w.model.versions)
                        .map(([k, v]) => `${k} ${v}`)
                        .join(" · ")
                    : "—"}
                </td>
                <td className="nowrap">{w.last_seen ? formatTime(w.last_seen) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The adapters in the model registry, as the artists' next-round controls offer them. */
function AdaptersPanel({ adapters, error, onRetry }: { adapters: Adapter[] | undefined; error: Error | null; onRetry: () => void }) {
  return (
    <section className="panel admin-span" aria-labelledby="adapters-title">
      <h2 id="adapters-title" className="panel-title">
        Adapters in the registry
      </h2>
      <ErrorNotice error={error} title="Could not read the model registry" onRetry={onRetry} compact />
      {!adapters ? (
        !error && <Loading what="the adapters" />
      ) : adapters.length === 0 ? (
        <p className="muted">No adapters yet. UNet LoRA adapters (styles, department-trained) and CLIP LoRA adapters for model 3 appear here once imported or trained.</p>
      ) : (
        <table className="table table-compact">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>SHA-256</th>
              <th>Size</th>
              <th>Added</th>
            </tr>
          </thead>
          <tbody>
            {adapters.map((a) => (
              <tr key={a.id}>
                <td>{a.name}</td>
                <td>
                  <Badge>{a.kind}</Badge>
                </td>
                <td className="mono" title={a.sha256}>
                  {a.sha256 ? `${a.sha256.slice(0, 12)}…` : "—"}
                </td>
                <td className="nowrap">{a.size_bytes !== undefined ? formatBytes(a.size_bytes) : "—"}</td>
                <td className="nowrap">{formatDate(a.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function AdminModelsPage() {
  useDocumentTitle("Models");
  const health = useResource((signal) => api.health(signal), "health");
  const registry = useResource((signal) => api.getRegistry(signal), "registry");
  const h = health.data;
  return (
    <div className="page">
      <PageHeader title="Administration" subtitle="Users and roles, the model registry, and the audit trail." />
      <AdminTabs />
      <ErrorNotice error={health.error} title="Could not read the server health" onRetry={health.reload} />
      {!h ? (
        !health.error && <Loading what="model information" />
      ) : (
        <div className="admin-grid">
          <section className="panel" aria-labelledby="model-title">
            <h2 id="model-title" className="panel-title">
              Base model
            </h2>
            <p className="model-name">
              <span className="mono">{h.model.name}</span>{" "}
              {h.model.random_weights ? <Badge tone="warning">random weights (demo)</Badge> : <Badge tone="success">real weights</Badge>}
            </p>
            <table className="table table-compact">
              <tbody>
                {modelRows(h.model).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td className="mono wrap">{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3 className="subhead">Refinement models</h3>
            <ul className="plain-list">
              {strategyChoices(registry.data).map((m) => (
                <li key={m.id}>
                  <strong>{m.id}</strong> — {m.hint || m.label}
                </li>
              ))}
            </ul>
            {registry.data && (
              <p className="muted small">Styles: {registry.data.styles.map(styleLabel).join(", ")}</p>
            )}
          </section>
          <section className="panel" aria-labelledby="services-title">
            <h2 id="services-title" className="panel-title">
              Services
            </h2>
            <table className="table table-compact">
              <tbody>
                <HealthRow name="Database" ok={h.database?.ok} />
                <HealthRow name="Broker" ok={h.broker?.ok} />
                <HealthRow name="Workers" ok={h.worker?.ok} detail={h.worker?.count !== undefined ? `${h.worker.count} running` : undefined} />
                <QueueRow h={h} />
              </tbody>
            </table>
            <div className="services-foot">
              <span className="muted small">
                Overall: <strong>{h.status}</strong>
              </span>
              <button type="button" className="btn btn-small" onClick={health.reload}>
                Check again
              </button>
            </div>
          </section>
          <WorkersPanel workers={workerList(h)} />
          <AdaptersPanel adapters={registry.data?.adapters} error={registry.error} onRetry={registry.reload} />
        </div>
      )}
    </div>
  );
}

// ---------------------------------------------------------------- audit
