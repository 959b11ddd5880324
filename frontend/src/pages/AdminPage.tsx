import { useMemo, useState, type FormEvent } from "react";
import { NavLink, useSearchParams } from "react-router";
import { api, type Adapter, type AuditEvent, type Health, type User, type UserUpdate } from "../api";
import { useAuth } from "../auth";
import { useAction, useDocumentTitle, useDraftState, useResource } from "../hooks";
import { Badge, EmptyState, ErrorNotice, Loading, Notice, PageHeader, TextField } from "../components/ui";
import { formatBytes, formatDate, formatDateTime, formatTime, shortId } from "../lib/format";
import { strategyChoices, styleLabel } from "../lib/engine";
import { auditThumbnail, groupByDay, outcomeTone, describeAction } from "../lib/audit";

export function AdminTabs() {
  return (
    <nav className="tabs" aria-label="Admin sections">
      <NavLink to="/admin" end>
        Users
      </NavLink>
      <NavLink to="/admin/models">Models</NavLink>
      <NavLink to="/admin/audit">Audit trail</NavLink>
    </nav>
  );
}

// ---------------------------------------------------------------- users

const ROLES = ["artist", "admin"];
/** The server's MIN_LENGTH (app/users/passwords.py), which also refuses common passwords. */
const MIN_PASSWORD = 8;
const shortPassword = (password: string) => password.length < MIN_PASSWORD;
const SHORT_PASSWORD = `Use at least ${MIN_PASSWORD} characters.`;

export function AdminUsersPage() {
  useDocumentTitle("Users");
  const users = useResource((signal) => api.listUsers(signal), "users");
  const { user: me } = useAuth();
  const [form, setForm, discard] = useDraftState("admin:new-user", { username: "", password: "", role: "artist" });
  const [touched, setTouched] = useState(false);
  const create = useAction(async () => {
    const u = await api.createUser({ username: form.username.trim(), password: form.password, role: form.role });
    discard();
    setForm({ username: "", password: "", role: form.role });
    setTouched(false);
    users.reload();
    return u;
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!form.username.trim() || shortPassword(form.password)) return;
    void create.run();
  };
  return (
    <div className="page">
      <PageHeader title="Administration" subtitle="Users and roles, the model registry, and the audit trail." />
      <AdminTabs />
      <div className="admin-grid admin-grid-wide">
        <section className="panel" aria-labelledby="users-title">
          <h2 id="users-title" className="panel-title">
            Users
          </h2>
          <ErrorNotice error={users.error} title="Could not load users" onRetry={users.reload} />
          {users.loading && !users.data ? (
            <Loading what="users" />
          ) : users.data && users.data.length === 0 ? (
            <EmptyState title="No users" />
          ) : (
            users.data && (
              <div className="table-scroll">
                <table className="table users-table">
                  <thead>
                    <tr>
                      <th>Username</th>
                      <th>Role</th>
                      <th>Status</th>
                      <th>Created</th>
                      <th>
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {users.data.map((u) => (
                      <UserRow
                        key={u.id}
                        user={u}
                        isSelf={me?.id === u.id}
                        onSaved={(saved) => users.setData((list) => list?.map((x) => (x.id === saved.id ? { ...x, ...saved } : x)))}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          )}
        </section>
        <section className="panel" aria-labelledby="new-user-title">
          <h2 id="new-user-title" className="panel-title">
            Add a user
          </h2>
          <form className="stack" onSubmit={submit} noValidate aria-label="Add a user">
            <ErrorNotice error={create.error} title="The user was not created" onDismiss={create.clearError} compact />
            <TextField
              label="New username"
              value={form.username}
              onChange={(username) => setForm((f) => ({ ...f, username }))}
              autoComplete="off"
              error={touched && !form.username.trim() ? "Choose a username." : null}
            />
            <TextField
              label="Initial password"
              type="password"
              value={form.password}
              onChange={(password) => setForm((f) => ({ ...f, password }))}
              autoComplete="new-password"
              hint={`At least ${MIN_PASSWORD} characters. Share it privately; the user should change it.`}
              error={touched && shortPassword(form.password) ? SHORT_PASSWORD : null}
            />
            <div className="field">
              <label htmlFor="new-user-role">Role</label>
              <select id="new-user-role" value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.target.value }))}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
              <span className="field-hint">Artists run interviews and sessions; admins also manage users and review audits.</span>
            </div>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={create.pending}>
                {create.pending ? "Creating…" : "Create user"}
              </button>
            </div>
          </form>
        </section>
      </div>
    </div>
  );
}

const USER_COLUMNS = 5;

/**
 * One user: role, active and a password reset, each saved at once with PATCH
 * /api/users/{id}. The row shows the server's copy, so a refused change (the
 * last active admin, a weak password) leaves it as it was, with the reason.
 */
function UserRow({ user, isSelf, onSaved }: { user: User; isSelf: boolean; onSaved: (user: User) => void }) {
  const [failed, setFailed] = useState("The change was not saved");
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState("");
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const update = useAction(async (input: UserUpdate, what: string) => {
    setFailed(what);
    setDone(null);
    const saved = await api.updateUser(user.id, input);
    onSaved(saved);
    return saved;
  });
  const active = user.active !== false;
  const name = user.username;
  const passwordError = touched && shortPassword(password) ? SHORT_PASSWORD : null;

  const savePassword = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (shortPassword(password)) return;
    const saved = await update.run({ password }, `The password of ${name} was not changed`);
    if (saved) {
      setPassword("");
      setTouched(false);
      setResetting(false);
      setDone(`Password changed. ${name} is signed out everywhere and signs in with the new password.`);
    }
  };
  const cancelReset = () => {
    setResetting(false);
    setPassword("");
    setTouched(false);
    update.clearError();
  };

  return (
    <>
      <tr className={active ? undefined : "user-inactive"}>
        <td>
          {name}
          {isSelf && <span className="muted small"> (you)</span>}
          {user.locked && (
            <>
              {" "}
              <Badge tone="warning">locked</Badge>
            </>
          )}
        </td>
        <td>
          <select
            aria-label={`Role of ${name}`}
            value={user.role}
            disabled={update.pending}
            onChange={(e) => {
              const role = e.target.value as "admin" | "artist";
              void update.run({ role }, `The role of ${name} was not changed`);
            }}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </td>
        <td className="nowrap">
          <Badge tone={active ? "success" : "neutral"}>{active ? "Active" : "Inactive"}</Badge>{" "}
          <button
            type="button"
            className={`btn btn-small${active ? " btn-danger-quiet" : ""}`}
            disabled={update.pending}
            aria-label={`${active ? "Deactivate" : "Reactivate"} ${name}`}
            onClick={() => void update.run({ active: !active }, `${name} was not ${active ? "deactivated" : "reactivated"}`)}
          >
            {active ? "Deactivate" : "Reactivate"}
          </button>
        </td>
        <td className="muted">{user.created_at ? formatDate(user.created_at) : "—"}</td>
        <td className="nowrap">
          {!resetting && (
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Reset password of ${name}`}
              onClick={() => {
                setResetting(true);
                setDone(null);
                update.clearError();
              }}
            >
              Reset password
            </button>
          )}
        </td>
      </tr>
      {(resetting || update.error || done) && (
        <tr className="user-row-extra">
          <td colSpan={USER_COLUMNS}>
            <ErrorNotice error={update.error} title={failed} onDismiss={update.clearError} compact />
            {done && <Notice kind="success">{done}</Notice>}
            {resetting && (
              <form className="user-reset" onSubmit={(e) => void savePassword(e)} noValidate aria-label={`Reset password of ${name}`}>
                <TextField
                  label={`New password for ${name}`}
                  type="password"
                  value={password}
                  onChange={setPassword}
                  autoComplete="new-password"
                  autoFocus
                  hint={`At least ${MIN_PASSWORD} characters. Saving signs this user out everywhere.`}
                  error={passwordError}
                />
                <div className="form-actions">
                  <button type="submit" className="btn btn-primary btn-small" disabled={update.pending}>
                    {update.pending ? "Saving…" : "Save"}
                  </button>
                  <button type="button" className="btn btn-quiet btn-small" onClick={cancelReset}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

// ---------------------------------------------------------------- models

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

interface WorkerInfo {
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
                <td className="mono">{w.name ?? "—"}</td>
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

export function AdminAuditPage() {
  useDocumentTitle("Audit trail");
  const [params, setParams] = useSearchParams();
  const caseId = params.get("case") ?? "";
  const cases = useResource((signal) => api.listCases({}, signal), "cases-all");
  const verify = useResource((signal) => api.verifyAudit(signal), "verify");
  const events = useResource((signal) => api.listAudit(caseId ? { case_id: caseId } : {}, signal), `audit:${caseId}`);
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => {
    const all = [...(events.data ?? [])].sort((a, b) => a.at.localeCompare(b.at));
    const f = filter.trim().toLowerCase();
    return f ? all.filter((e) => [e.action, e.actor, e.entity_type, e.outcome].some((v) => v?.toLowerCase().includes(f))) : all;
  }, [events.data, filter]);
  const selectedCase = cases.data?.find((c) => c.id === caseId);
  // Candidate thumbnails: candidate id -> image URL, from the selected case's sessions.
  const images = useResource(async (signal) => {
    const detail = await api.getCase(caseId, signal);
    const sessions = await Promise.all(detail.sessions.map((s) => api.getSession(s.id, signal)));
    const map = new Map<string, string>();
    for (const s of sessions) for (const r of s.rounds) for (const c of r.candidates) map.set(c.id, c.image_url);
    return map;
  }, caseId ? `images:${caseId}` : null);

  return (
    <div className="page">
      <PageHeader title="Administration" subtitle="Users and roles, the model registry, and the audit trail." />
      <AdminTabs />
      <section className="panel chain-panel" aria-labelledby="chain-title">
        <div className="panel-head">
          <h2 id="chain-title" className="panel-title">
            Audit chain
          </h2>
          <button type="button" className="btn btn-small" onClick={verify.reload} disabled={verify.loading}>
            {verify.loading ? "Verifying…" : "Verify again"}
          </button>
        </div>
        <ErrorNotice error={verify.error} title="Could not verify the chain" onRetry={verify.reload} compact />
        {verify.data &&
          (verify.data.ok ? (
            <p className="chain-status chain-ok" data-testid="chain-status">
              <span aria-hidden="true">✓</span> Chain intact — {verify.data.events} events verified, every link matches.
            </p>
          ) : (
            <p className="chain-status chain-bad" role="alert" data-testid="chain-status">
              <span aria-hidden="true">✗</span> Chain broken at event <span className="mono">{verify.data.first_bad}</span> ({verify.data.events} events checked).
              Records from that event on cannot be trusted; preserve the database and tell the system owner.
            </p>
          ))}
      </section>

      <section className="audit-controls" aria-label="Choose what to review">
        <div className="field">
          <label htmlFor="audit-case">Case</label>
          <select id="audit-case" value={caseId} onChange={(e) => setParams(e.target.value ? { case: e.target.value } : {}, { replace: true })}>
            <option value="">All cases</option>
            {(cases.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.reference} — {c.title}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-filter">Filter events</label>
          <input id="audit-filter" type="search" value={filter} placeholder="action, user, outcome…" onChange={(e) => setFilter(e.target.value)} />
        </div>
        {selectedCase && (
          <a className="btn" href={api.exportUrl(selectedCase.id)} download>
            Export {selectedCase.reference} (ZIP)
          </a>
        )}
      </section>

      <ErrorNotice error={events.error} title="Could not load the audit trail" onRetry={events.reload} />
      {events.loading && !events.data ? (
        <Loading what="audit events" />
      ) : shown.length === 0 ? (
        events.data && <EmptyState title="No events">{filter ? "No event matches the filter." : "Nothing has been recorded for this selection yet."}</EmptyState>
      ) : (
        <>
          {!caseId && <p className="muted small">Choose a case to see candidate thumbnails next to their events.</p>}
          <AuditTimeline events={shown} images={images.data ?? EMPTY_IMAGES} />
        </>
      )}
    </div>
  );
}

const EMPTY_IMAGES = new Map<string, string>();

function AuditTimeline({ events, images }: { events: AuditEvent[]; images: Map<string, string> }) {
  const days = groupByDay(events);
  return (
    <ol className="timeline" aria-label="Audit timeline">
      {days.map(([day, list]) => (
        <li key={day} className="timeline-day">
          <h3 className="timeline-date">{formatDate(day)}</h3>
          <ol>
            {list.map((e) => (
              <AuditItem key={e.id} e={e} images={images} />
            ))}
          </ol>
        </li>
      ))}
    </ol>
  );
}

function AuditItem({ e, images }: { e: AuditEvent; images: Map<string, string> }) {
  const thumb = auditThumbnail(e, images);
  const details = Object.entries(e.details ?? {});
  return (
    <li className="timeline-item">
      <span className={`timeline-dot tone-${outcomeTone(e.outcome)}`} aria-hidden="true" />
      <div className="timeline-card">
        {thumb && <img className="timeline-thumb" src={thumb} alt={`Image for ${describeAction(e.action).toLowerCase()}`} loading="lazy" />}
        <div className="timeline-main">
          <div className="timeline-head">
            <time dateTime={e.at} title={formatDateTime(e.at)}>
              {formatTime(e.at)}
            </time>
            <strong className="timeline-action">{describeAction(e.action)}</strong>
            <span className="muted">
              by {e.actor ?? "system"}
              {e.role && ` (${e.role})`}
            </span>
            {e.outcome && outcomeTone(e.outcome) !== "success" ? (
              <Badge tone={outcomeTone(e.outcome)}>{e.outcome}</Badge>
            ) : (
              <span className="sr-only">outcome {e.outcome}</span>
            )}
            {e.entity_type && (
              <span className="muted timeline-entity">
                {e.entity_type} <span className="mono">{shortId(e.entity_id)}</span>
              </span>
            )}
          </div>
          {details.length > 0 && (
            <div className="timeline-detail">
              <details>
                <summary>Details</summary>
                <dl className="kv">
                  {details.map(([k, v]) => (
                    <div key={k}>
                      <dt>{k}</dt>
                      <dd className="mono wrap">{typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                    </div>
                  ))}
                </dl>
              </details>
            </div>
          )}
        </div>
      </div>
    </li>
  );
}
