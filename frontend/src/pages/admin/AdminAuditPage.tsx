import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { api, type AuditEvent } from "../../api";
import { useDocumentTitle, useResource } from "../../hooks";
import { Badge, EmptyState, ErrorNotice, Loading, PageHeader } from "../../components/ui";
import { formatDate, formatDateTime, formatTime, shortId } from "../../lib/format";
import { auditThumbnail, groupByDay, outcomeTone, describeAction } from "../../lib/audit";
import { ExportLink } from "../../components/ExportLink";
import { FaceRecognitionEnable } from "./FaceRecognitionEnable";
import { AdminTabs } from "./AdminTabs";

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
        {selectedCase && <ExportLink caseId={selectedCase.id} label={`Export ${selectedCase.reference} (ZIP)`} />}
      </section>
      {selectedCase && <FaceRecognitionEnable caseId={selectedCase.id} reference={selectedCase.reference} />}

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

