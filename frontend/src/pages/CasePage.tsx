import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, type CaseDetail, type SessionSummary, type Witness } from "../api";
import { useAction, useDocumentTitle, useDraftState, useResource } from "../hooks";
import { Badge, EmptyState, ErrorNotice, Loading, PageHeader, TextField } from "../components/ui";
import { CaseForm, type CaseFormValues } from "../components/CaseForm";
import { ExportLink } from "../components/ExportLink";
import { ApprovedComposite } from "../components/ApprovedComposite";
import { FaceRecognitionPanel } from "../components/FaceRecognitionPanel";
import { ReferenceUploads } from "../components/ReferenceUploads";
import { formatDate, formatDateTime, plural } from "../lib/format";

function toFormValues(c: CaseDetail): CaseFormValues {
  return {
    reference: c.reference,
    title: c.title,
    offence: c.offence ?? "",
    occurred_on: c.occurred_on ?? "",
    location: c.location ?? "",
    notes: c.notes ?? "",
  };
}

export function CasePage() {
  const { caseId = "" } = useParams();
  const detail = useResource((signal) => api.getCase(caseId, signal), caseId);
  const c = detail.data;
  useDocumentTitle(c ? `${c.reference} — ${c.title}` : "Case");
  const [editing, setEditing] = useState(false);
  const toggleStatus = useAction(async () => {
    if (!c) return;
    await api.updateCase(c.id, { status: c.status === "open" ? "closed" : "open" });
    detail.reload();
  });

  if (!c) {
    return (
      <div className="page">
        <PageHeader title="Case" crumbs={[{ label: "Cases", to: "/cases" }, { label: "…" }]} />
        {detail.error ? <ErrorNotice error={detail.error} title="Could not open this case" onRetry={detail.reload} /> : <Loading what="the case" />}
      </div>
    );
  }

  return (
    <div className="page">
      <PageHeader
        crumbs={[{ label: "Cases", to: "/cases" }, { label: c.reference }]}
        title={c.title}
        badge={<Badge tone={c.status === "open" ? "accent" : "neutral"}>{c.status === "open" ? "Open" : "Closed"}</Badge>}
        subtitle={
          <>
            <span className="mono">{c.reference}</span>
            {c.offence && <> · {c.offence}</>}
            {c.owner && <> · artist {c.owner.username}</>}
          </>
        }
        actions={
          <>
            {!editing && (
              <button type="button" className="btn" onClick={() => setEditing(true)}>
                Edit case
              </button>
            )}
            <button type="button" className="btn" onClick={() => void toggleStatus.run()} disabled={toggleStatus.pending}>
              {c.status === "open" ? "Close case" : "Reopen case"}
            </button>
            <ExportLink caseId={c.id} faceRecognition={c.face_recognition.enabled} />
          </>
        }
      />
      <ErrorNotice error={detail.error} title="Could not refresh the case" onRetry={detail.reload} />
      <ErrorNotice error={toggleStatus.error} title="The case status was not changed" onDismiss={toggleStatus.clearError} />

      {editing ? (
        <section className="panel" aria-labelledby="edit-case-title">
          <h2 id="edit-case-title" className="panel-title">
            Edit case
          </h2>
          <CaseForm
            draftKey={`case:edit:${c.id}`}
            initial={toFormValues(c)}
            submitLabel="Save changes"
            referenceLocked
            onCancel={() => setEditing(false)}
            onSubmit={async (input) => {
              const saved = await api.updateCase(c.id, {
                title: input.title,
                offence: input.offence,
                occurred_on: input.occurred_on,
                location: input.location,
                notes: input.notes,
              });
              setEditing(false);
              detail.reload();
              return saved;
            }}
          />
        </section>
      ) : (
        <section className="panel case-facts" aria-label="Case details">
          <dl className="facts">
            <div>
              <dt>Date of offence</dt>
              <dd>{formatDate(c.occurred_on)}</dd>
            </div>
            <div>
              <dt>Location</dt>
              <dd>{c.location || "—"}</dd>
            </div>
            <div>
              <dt>Assigned artist</dt>
              <dd>{c.owner?.username ?? "—"}</dd>
            </div>
            <div>
              <dt>Opened</dt>
              <dd>{formatDateTime(c.created_at)}</dd>
            </div>
          </dl>
          {c.notes && <p className="case-notes">{c.notes}</p>}
        </section>
      )}

      <section aria-labelledby="witnesses-title" className="section">
        <div className="section-head">
          <h2 id="witnesses-title">Witnesses</h2>
          <span className="muted">{plural(c.witnesses.length, "witness", "witnesses")}</span>
        </div>
        {c.witnesses.length === 0 && (
          <EmptyState title="No witnesses yet">Add the witness you are about to interview. Their first description is recorded verbatim.</EmptyState>
        )}
        <div className="witness-list">
          {c.witnesses.map((w) => (
            <WitnessCard
              key={w.id}
              caseId={c.id}
              witness={w}
              sessions={c.sessions.filter((s) => s.witness_id === w.id)}
              onSaved={(saved) =>
                detail.setData((d) => d && { ...d, witnesses: d.witnesses.map((x) => (x.id === saved.id ? { ...x, ...saved } : x)) })
              }
            />
          ))}
        </div>
        <AddWitnessForm caseId={c.id} onAdded={detail.reload} />
      </section>

      <ReferenceUploads caseId={c.id} />
      <FaceRecognitionPanel caseId={c.id} reference={c.reference} state={c.face_recognition} onChanged={detail.reload} />
    </div>
  );
}

function WitnessCard({
  caseId,
  witness,
  sessions,
  onSaved,
}: {
  caseId: string;
  witness: Witness;
  sessions: SessionSummary[];
  onSaved: (witness: Witness) => void;
}) {
  const [editing, setEditing] = useState(false);
  const versions = [...witness.descriptions].sort((a, b) => a.version - b.version);
  const latest = versions[versions.length - 1];
  const first = versions[0];
  const interviewUrl = `/cases/${caseId}/witnesses/${witness.id}`;
  return (
    <article className="witness-card" aria-label={`Witness ${witness.name}`}>
      {editing ? (
        <EditWitnessForm
          witness={witness}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            onSaved(saved);
            setEditing(false);
          }}
        />
      ) : (
        <header className="witness-card-head">
          <div>
            <h3>{witness.name}</h3>
            {witness.contact && <p className="muted small">{witness.contact}</p>}
          </div>
          <div className="form-actions">
            <button type="button" className="btn btn-small" aria-label={`Edit witness ${witness.name}`} onClick={() => setEditing(true)}>
              Edit
            </button>
            <Link to={interviewUrl} className="btn btn-small">
              {first ? "Open interview" : "Start interview"}
            </Link>
          </div>
        </header>
      )}
      {first ? (
        <div className="witness-desc">
          <p className="quote">“{first.text}”</p>
          <p className="muted small">
            First description {formatDateTime(first.created_at)}
            {latest && latest.version > 1 && <> · {plural(versions.length, "version")}, latest v{latest.version}</>}
            {latest && <> · {latest.token_count} prompt tokens</>}
          </p>
        </div>
      ) : (
        <p className="muted small">No description recorded yet.</p>
      )}
      <div className="witness-sessions">
        <h4>Composite sessions</h4>
        {sessions.length === 0 ? (
          <p className="muted small">{first ? "None yet — start one from the interview." : "Record a description first."}</p>
        ) : (
          <ul className="session-list">
            {sessions.map((s) => (
              <li key={s.id}>
                <Link to={`/sessions/${s.id}`}>Session of {formatDateTime(s.created_at)}</Link>
                <span className="muted small"> · {plural(s.rounds_count, "round")}</span>{" "}
                <Badge tone={s.status === "approved" ? "success" : "accent"}>{s.status === "approved" ? "Approved" : "Active"}</Badge>
                {s.status === "approved" && <ApprovedComposite sessionId={s.id} />}
              </li>
            ))}
          </ul>
        )}
      </div>
    </article>
  );
}

const MAX_NAME = 200;
const MAX_CONTACT = 500;

/** Corrects a witness's name and contact (PATCH /api/witnesses/{id}); descriptions are not touched. */
function EditWitnessForm({ witness, onSaved, onCancel }: { witness: Witness; onSaved: (w: Witness) => void; onCancel: () => void }) {
  const [values, setValues] = useState({ name: witness.name, contact: witness.contact ?? "" });
  const [touched, setTouched] = useState(false);
  const save = useAction(() => api.updateWitness(witness.id, { name: values.name.trim(), contact: values.contact.trim() }));
  const name = values.name.trim();
  const nameError = !touched ? null : !name ? "Enter a name (or a pseudonym such as “Witness A”)." : name.length > MAX_NAME ? `Use at most ${MAX_NAME} characters.` : null;
  const contactError = touched && values.contact.trim().length > MAX_CONTACT ? `Use at most ${MAX_CONTACT} characters.` : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!name || name.length > MAX_NAME || values.contact.trim().length > MAX_CONTACT) return;
    const saved = await save.run();
    if (saved) onSaved(saved);
  };
  return (
    <form className="witness-edit" onSubmit={(e) => void submit(e)} aria-label={`Edit witness ${witness.name}`} noValidate>
      <ErrorNotice error={save.error} title="The witness was not changed" onDismiss={save.clearError} compact />
      <TextField label="Name" value={values.name} onChange={(v) => setValues((x) => ({ ...x, name: v }))} required autoFocus error={nameError} />
      <TextField
        label="Contact"
        value={values.contact}
        onChange={(v) => setValues((x) => ({ ...x, contact: v }))}
        placeholder="Phone or email (optional)"
        error={contactError}
      />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={save.pending}>
          {save.pending ? "Saving…" : "Save"}
        </button>
        <button type="button" className="btn btn-quiet btn-small" onClick={onCancel} disabled={save.pending}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AddWitnessForm({ caseId, onAdded }: { caseId: string; onAdded: () => void }) {
  const [values, setValues, discard] = useDraftState(`witness:new:${caseId}`, { name: "", contact: "" });
  const [open, setOpen] = useState(false);
  const [touched, setTouched] = useState(false);
  const navigate = useNavigate();
  const save = useAction(async () => {
    const w = await api.createWitness(caseId, { name: values.name.trim(), contact: values.contact.trim() });
    discard();
    setValues({ name: "", contact: "" });
    onAdded();
    return w;
  });
  const submit = async (e: FormEvent, thenInterview: boolean) => {
    e.preventDefault();
    setTouched(true);
    if (!values.name.trim()) return;
    const w = await save.run();
    if (w) {
      setOpen(false);
      setTouched(false);
      if (thenInterview) navigate(`/cases/${caseId}/witnesses/${w.id}`);
    }
  };
  if (!open && !values.name) {
    return (
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        Add witness
      </button>
    );
  }
  return (
    <form className="panel stack add-witness" onSubmit={(e) => void submit(e, true)} aria-label="Add witness" noValidate>
      <h3 className="panel-title">Add witness</h3>
      <ErrorNotice error={save.error} title="The witness was not added" onDismiss={save.clearError} />
      <div className="grid-2">
        <TextField
          label="Witness name"
          value={values.name}
          onChange={(name) => setValues((v) => ({ ...v, name }))}
          required
          autoFocus
          error={touched && !values.name.trim() ? "Enter a name (or a pseudonym such as “Witness A”)." : null}
        />
        <TextField label="Contact" value={values.contact} onChange={(contact) => setValues((v) => ({ ...v, contact }))} placeholder="Phone or email (optional)" />
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={save.pending}>
          {save.pending ? "Adding…" : "Add and start interview"}
        </button>
        <button type="button" className="btn" disabled={save.pending} onClick={(e) => void submit(e as unknown as FormEvent, false)}>
          Add witness only
        </button>
        <button
          type="button"
          className="btn btn-quiet"
          onClick={() => {
            discard();
            setValues({ name: "", contact: "" });
            setOpen(false);
          }}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
