import { useMemo, useState, type FormEvent } from "react";
import { useSearchParams } from "react-router";
import { api, type AuditEvent, type AuditVerify, type CaseSummary } from "../../api";
import { useDocumentTitle, useResource } from "../../hooks";
import { Badge, EmptyState, ErrorNotice, Loading, PageHeader } from "../../components/ui";
import { formatDate, formatDateTime, formatTime, shortId } from "../../lib/format";
import { auditThumbnail, groupByDay, outcomeTone, describeAction } from "../../lib/audit";
import { ExportLink } from "../../components/ExportLink";
import { FaceRecognitionPanel } from "../../components/FaceRecognitionPanel";
import {
  chainSummary,
  count,
  filterProblem,
  filtersFromParams,
  filtersToParams,
  matchesText,
  type AuditFilters,
} from "../../lib/auditQuery";
import { AdminTabs } from "./AdminTabs";
import { useAuditPages } from "./useAuditPages";
import "./admin.css";

export function AdminAuditPage() {
  useDocumentTitle("Audit trail");
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const apply = (f: AuditFilters) => setParams(filtersToParams(f), { replace: true });
  const caseId = filters.case;
  const cases = useResource((signal) => api.listCases({}, signal), "cases-all");
  const verify = useResource((signal) => api.verifyAudit(signal), "verify");
  const trail = useAuditPages(filters);
  const [filter, setFilter] = useState("");
  const shown = useMemo(() => (trail.events ?? []).filter((e) => matchesText(e, filter)), [trail.events, filter]);
  const selectedCase = cases.data?.find((c) => c.id === caseId);
  // Candidate thumbnails: candidate id -> image URL, from the selected case's sessions.
  const images = useResource(async (signal) => {
    const detail = await api.getCase(caseId, signal);
    const sessions = await Promise.all(detail.sessions.map((s) => api.getSession(s.id, signal)));
    const map = new Map<string, string>();
    for (const s of sessions) for (const r of s.rounds) for (const c of r.candidates) map.set(c.id, c.image_url);
    return map;
  }, caseId ? `images:${caseId}` : null);
  const events = trail.first;

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
        {verify.data && <ChainStatus v={verify.data} />}
      </section>

      <AuditFilterForm key={JSON.stringify(filtersToParams(filters))} filters={filters} cases={cases.data ?? []} onApply={apply} />
      <div className="audit-toolbar">
        <div className="field">
          <label htmlFor="audit-filter">Filter events</label>
          <input id="audit-filter" type="search" value={filter} placeholder="action, user, outcome…" onChange={(e) => setFilter(e.target.value)} />
        </div>
        {selectedCase && (
          <ExportLink caseId={selectedCase.id} label={`Export ${selectedCase.reference} (ZIP)`} faceRecognition={selectedCase.face_recognition.enabled} />
        )}
      </div>
      {selectedCase && (
        <FaceRecognitionPanel caseId={selectedCase.id} reference={selectedCase.reference} state={selectedCase.face_recognition} onChanged={cases.reload} compact />
      )}

      <ErrorNotice error={events.error} title="Could not load the audit trail" onRetry={events.reload} />
      {events.loading && !trail.events ? (
        <Loading what="audit events" />
      ) : shown.length === 0 ? (
        trail.events && (
          <EmptyState title="No events">
            {filter ? "No loaded event matches the filter." : "Nothing has been recorded for this selection yet."}
          </EmptyState>
        )
      ) : (
        <>
          <p className="muted small" data-testid="audit-count">
            Newest first · {count(shown.length, "event")} shown
            {filter && trail.events && shown.length !== trail.events.length ? ` of ${count(trail.events.length, "loaded event")}` : ""}
            {trail.hasOlder ? " · older events on the next page" : " · that is everything for these filters"}
            {!caseId && " · choose a case to see candidate thumbnails next to their events"}
          </p>
          <AuditTimeline events={shown} images={images.data ?? EMPTY_IMAGES} />
        </>
      )}
      <ErrorNotice error={trail.olderError} title="Could not load older events" onRetry={() => void trail.loadOlder()} />
      {trail.hasOlder && trail.events && (
        <div className="audit-more">
          <button type="button" className="btn" onClick={() => void trail.loadOlder()} disabled={trail.loadingOlder}>
            {trail.loadingOlder ? "Loading older events…" : "Older events"}
          </button>
        </div>
      )}
    </div>
  );
}

/** The chain check in one line, or a clear alarm naming the first bad event. */
function ChainStatus({ v }: { v: AuditVerify }) {
  const s = chainSummary(v);
  return s.ok ? (
    <p className="chain-status chain-ok" data-testid="chain-status">
      <span aria-hidden="true">✓</span> {s.headline}
      {s.key && (
        <span className="chain-key small">
          Heads key <span className="mono">{s.key}</span>
        </span>
      )}
    </p>
  ) : (
    <div className="chain-status chain-bad" role="alert" data-testid="chain-status">
      <p className="chain-headline">
        <span aria-hidden="true">✗</span> <strong>{s.headline}</strong>
      </p>
      <p>{s.detail}</p>
      {s.key && (
        <p className="chain-key small">
          Heads key <span className="mono">{s.key}</span>
        </p>
      )}
    </div>
  );
}

/** Server-side filters; typed fields apply on "Apply", the case at once. */
function AuditFilterForm({ filters, cases, onApply }: { filters: AuditFilters; cases: CaseSummary[]; onApply: (f: AuditFilters) => void }) {
  const [draft, setDraft] = useState(filters);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<AuditFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = filterProblem(draft);
    setProblem(p);
    if (!p) onApply(draft);
  };
  const empty: AuditFilters = { case: "", actor: "", action: "", from: "", to: "", limit: filters.limit };
  const active = Object.keys(filtersToParams({ ...filters, limit: empty.limit })).length > 0;
  return (
    <form className="audit-filters" aria-label="Choose what to review" onSubmit={submit} noValidate>
      <div className="field audit-case">
        <label htmlFor="audit-case">Case</label>
        <select id="audit-case" value={draft.case} onChange={(e) => onApply({ ...draft, case: e.target.value })}>
          <option value="">All cases</option>
          {cases.map((c) => (
            <option key={c.id} value={c.id}>
              {c.reference} — {c.title}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-actor">User</label>
        <input id="audit-actor" value={draft.actor} placeholder="username" maxLength={80} autoComplete="off" onChange={(e) => set({ actor: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <input
          id="audit-action"
          value={draft.action}
          placeholder="e.g. round.*"
          maxLength={80}
          autoComplete="off"
          aria-describedby="audit-action-hint"
          onChange={(e) => set({ action: e.target.value })}
        />
        <span id="audit-action-hint" className="muted small">
          exact, or ending in .* for a family
        </span>
      </div>
      <div className="field">
        <label htmlFor="audit-from">From</label>
        <input id="audit-from" type="date" value={draft.from} onChange={(e) => set({ from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To</label>
        <input id="audit-to" type="date" value={draft.to} onChange={(e) => set({ to: e.target.value })} />
      </div>
      <div className="audit-filter-buttons">
        <button type="submit" className="btn btn-primary">
          Apply filters
        </button>
        {active && (
          <button type="button" className="btn" onClick={() => onApply(empty)}>
            Clear
          </button>
        )}
      </div>
      {problem && (
        <p className="field-error audit-filter-problem" role="alert">
          {problem}
        </p>
      )}
    </form>
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

