import { useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ApiError, type Attributes, type Witness } from "../api";
import { useAction, useDocumentTitle, useDraftState, useResource } from "../hooks";
import { Badge, ErrorNotice, Loading, Notice, PageHeader, TextField } from "../components/ui";
import { AttributesForm } from "../components/AttributesForm";
import { AttributesView } from "../components/AttributesView";
import { PromptPreview } from "../components/PromptPreview";
import { VersionHistory } from "../components/VersionHistory";
import { TokenMeter } from "../components/TokenMeter";
import { ReferencePicker } from "../components/ReferencePicker";
import { referenceProblem } from "../lib/reference";
import { attributesEqual, cleanAttributes } from "../lib/attributes";
import { isCrossWitnessError } from "../lib/safeguards";
import { formatDateTime, plural } from "../lib/format";
import { DEFAULT_ARRAY, MAX_ARRAY } from "../lib/evolve";

function LockIcon() {
  return (
    <svg viewBox="0 0 16 16" width="11" height="11" aria-hidden="true" className="icon-inline">
      <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
      <rect x="3" y="7" width="10" height="7.5" rx="1.5" fill="currentColor" />
    </svg>
  );
}

interface DescriptionDraft {
  text: string;
  attributes: Attributes;
  editing: boolean;
}

export function InterviewPage() {
  const { caseId = "", witnessId = "" } = useParams();
  const witness = useResource((signal) => api.getWitness(witnessId, signal), witnessId);
  const caseDetail = useResource((signal) => api.getCase(caseId, signal), caseId);
  useDocumentTitle(witness.data ? `Interview — ${witness.data.name}` : "Interview");

  const crumbs = [
    { label: "Cases", to: "/cases" },
    { label: caseDetail.data?.reference ?? "Case", to: `/cases/${caseId}` },
    { label: witness.data ? `Interview: ${witness.data.name}` : "Interview" },
  ];

  if (!witness.data) {
    return (
      <div className="page">
        <PageHeader title="Interview" crumbs={crumbs} />
        {witness.error ? <ErrorNotice error={witness.error} title="Could not load the witness" onRetry={witness.reload} /> : <Loading what="the witness" />}
      </div>
    );
  }
  const sessions = caseDetail.data?.sessions.filter((s) => s.witness_id === witnessId) ?? [];
  return (
    <div className="page page-wide">
      <PageHeader
        crumbs={crumbs}
        title={witness.data.name}
        subtitle={
          <>
            Witness interview{caseDetail.data && <> · {caseDetail.data.title}</>}
            {witness.data.contact && <> · {witness.data.contact}</>}
          </>
        }
      />
      <ErrorNotice error={witness.error} title="Could not refresh the witness" onRetry={witness.reload} />
      <Interview witness={witness.data} onSaved={witness.reload} />
      {witness.data.descriptions.length > 0 && (
        <>
          <StartSession witness={witness.data} />
          {sessions.length > 0 && (
            <section className="panel" aria-labelledby="sessions-title">
              <h2 id="sessions-title" className="panel-title">
                Sessions with this witness
              </h2>
              <ul className="session-list">
                {sessions.map((s) => (
                  <li key={s.id}>
                    <Link to={`/sessions/${s.id}`}>Session of {formatDateTime(s.created_at)}</Link>
                    <span className="muted small"> · {plural(s.rounds_count, "round")} </span>
                    <Badge tone={s.status === "approved" ? "success" : "accent"}>{s.status === "approved" ? "Approved" : "Active"}</Badge>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      )}
    </div>
  );
}

function Interview({ witness, onSaved }: { witness: Witness; onSaved: () => void }) {
  const versions = useMemo(() => [...witness.descriptions].sort((a, b) => a.version - b.version), [witness.descriptions]);
  const first = versions[0];
  const latest = versions[versions.length - 1];
  const [draft, setDraft, discardDraft] = useDraftState<DescriptionDraft>(`interview:${witness.id}`, {
    text: "",
    attributes: {},
    editing: false,
  });
  const [touched, setTouched] = useState(false);

  const save = useAction(async () => {
    const saved = await api.createDescription(witness.id, { text: draft.text.trim(), attributes: cleanAttributes(draft.attributes) });
    discardDraft();
    setDraft({ text: "", attributes: {}, editing: false });
    setTouched(false);
    onSaved();
    return saved;
  });

  const isFirst = !first;
  const editing = isFirst || draft.editing;
  const unchanged = !!latest && draft.text.trim() === latest.text.trim() && attributesEqual(draft.attributes, latest.attributes ?? {});

  const startNewVersion = () => {
    if (!latest) return;
    setDraft({ text: latest.text, attributes: latest.attributes ?? {}, editing: true });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!draft.text.trim() || (!isFirst && unchanged)) return;
    await save.run();
  };

  return (
    <div className="interview">
      {first && (
        <section className="panel first-description" aria-labelledby="first-title">
          <div className="panel-head">
            <h2 id="first-title" className="panel-title">
              First description <span className="muted">— verbatim</span>
            </h2>
            <Badge tone="neutral" title="The first description can never be edited">
              <LockIcon />
              Locked
            </Badge>
          </div>
          <blockquote className="verbatim" aria-label="First description, verbatim">
            {first.text}
          </blockquote>
          <p className="muted small">
            Recorded {formatDateTime(first.created_at)}. It is kept exactly as said; changes are recorded as new versions below.
          </p>
        </section>
      )}

      {editing ? (
        <form className="interview-form" onSubmit={submit} noValidate aria-label={isFirst ? "First description" : "New description version"}>
          <div className="interview-main">
            <section className="panel" aria-labelledby="desc-title">
              <h2 id="desc-title" className="panel-title">
                {isFirst ? "First description" : `New version (v${(latest?.version ?? 0) + 1})`}
              </h2>
              {isFirst ? (
                <p className="muted">
                  Type the witness’s own words, exactly as they say them. Once saved, the first description is locked and
                  can never be edited — later changes become new versions.
                </p>
              ) : (
                <p className="muted">Edit the text or attributes. The earlier versions stay on record; this is saved as a new version.</p>
              )}
              <div className={`field field-verbatim${touched && !draft.text.trim() ? " field-invalid" : ""}`}>
                <label htmlFor="desc-text">{isFirst ? "Witness’s description (verbatim)" : "Description text"}</label>
                <textarea
                  id="desc-text"
                  className="textarea-verbatim"
                  rows={isFirst ? 9 : 6}
                  value={draft.text}
                  autoFocus
                  placeholder="“He was about forty, tall, with a narrow face and short grey hair…”"
                  onChange={(e) => setDraft((d) => ({ ...d, text: e.target.value }))}
                />
                {touched && !draft.text.trim() && <span className="field-error">Write down what the witness said before saving.</span>}
              </div>
            </section>
            <section className="panel" aria-labelledby="attrs-title">
              <h2 id="attrs-title" className="panel-title">
                Structured attributes
              </h2>
              <p className="muted small">Ask about each feature. Mark what the witness did not see, or is unsure about, rather than leaving it blank.</p>
              <AttributesForm value={draft.attributes} onChange={(attributes) => setDraft((d) => ({ ...d, attributes }))} />
            </section>
          </div>
          <aside className="interview-side">
            <div className="sticky">
              <PromptPreview text={draft.text} attributes={draft.attributes} />
              <ErrorNotice error={save.error} title="The description was not saved" onDismiss={save.clearError} />
              {!isFirst && unchanged && <Notice>Nothing has changed from v{latest?.version} yet.</Notice>}
              <div className="form-actions">
                <button type="submit" className="btn btn-primary" disabled={save.pending || (!isFirst && unchanged)}>
                  {save.pending ? "Saving…" : isFirst ? "Save and lock first description" : "Save new version"}
                </button>
                {!isFirst && (
                  <button
                    type="button"
                    className="btn btn-quiet"
                    onClick={() => {
                      discardDraft();
                      setDraft({ text: "", attributes: {}, editing: false });
                    }}
                  >
                    Discard changes
                  </button>
                )}
              </div>
              <p className="muted small">Your typing is kept in this browser tab until it is saved.</p>
            </div>
          </aside>
        </form>
      ) : (
        latest && (
          <section className="panel" aria-labelledby="current-title">
            <div className="panel-head">
              <h2 id="current-title" className="panel-title">
                Current description <span className="muted">v{latest.version}</span>
              </h2>
              <button type="button" className="btn" onClick={startNewVersion}>
                Record a change (new version)
              </button>
            </div>
            <div className="grid-2 grid-2-wide">
              <div>
                {latest.version > 1 && <p className="current-text">{latest.text}</p>}
                <AttributesView attributes={latest.attributes} />
              </div>
              <div>
                <h3 className="subhead">Prompt</h3>
                <TokenMeter count={latest.token_count ?? 0} />
                <div className="prompt-box">{latest.prompt}</div>
              </div>
            </div>
          </section>
        )
      )}

      {versions.length > 1 && <VersionHistory versions={versions} />}
    </div>
  );
}

interface SessionSettings {
  description_id: string;
  /** "" = the default (image-to-image); "evolve" draws arrays. */
  model?: string;
  candidates: number;
  rounds: number;
  steps: string;
  guidance: string;
  seed: string;
  size: string;
}

function StartSession({ witness }: { witness: Witness }) {
  const versions = [...witness.descriptions].sort((a, b) => b.version - a.version);
  const navigate = useNavigate();
  const [s, setS] = useDraftState<SessionSettings>(`session-settings:${witness.id}`, {
    description_id: "",
    candidates: 4,
    rounds: 5,
    steps: "",
    guidance: "",
    seed: "",
    size: "",
  });
  const maxFaces = s.model === "evolve" ? MAX_ARRAY : 8;
  const descriptionId = s.description_id && versions.some((v) => v.id === s.description_id) ? s.description_id : versions[0]?.id ?? "";
  // A file can't live in a draft: it is chosen again after a reload.
  const [reference, setReference] = useState<File | null>(null);
  const [sketchify, setSketchify] = useState(false);
  // Uploaded once: a retry after a failed start reuses it.
  const uploaded = useRef<{ file: File; id: string } | null>(null);
  const start = useAction(async () => {
    const size = Number(s.size) || undefined;
    let referenceId: string | undefined;
    if (reference) {
      const problem = referenceProblem(reference);
      if (problem) throw new ApiError(-1, problem);
      if (uploaded.current?.file !== reference) {
        const upload = await api.uploadReference(witness.case_id, reference);
        uploaded.current = { file: reference, id: upload.id };
      }
      referenceId = uploaded.current.id;
    }
    const session = await api.createSession({
      witness_id: witness.id,
      description_id: descriptionId,
      candidates: Math.min(s.candidates, maxFaces),
      rounds: s.rounds,
      model: s.model === "evolve" ? "evolve" : undefined,
      steps: s.steps ? Number(s.steps) : undefined,
      guidance: s.guidance ? Number(s.guidance) : undefined,
      seed: s.seed ? Number(s.seed) : undefined,
      width: size,
      height: size,
      reference_upload_id: referenceId,
      sketchify_reference: referenceId && sketchify ? true : undefined,
    });
    navigate(`/sessions/${session.id}`);
    return session;
  });
  return (
    <section className="panel start-session" aria-labelledby="start-title" id="start">
      <h2 id="start-title" className="panel-title">
        Start a composite session
      </h2>
      <p className="muted small panel-lead">The first round draws candidates from the description — and from a reference sketch or photo, if you add one; the witness then picks and refines.</p>
      <ErrorNotice
        error={start.error}
        title={isCrossWitnessError(start.error) ? "Refused: this reference matches another witness's composite" : "The session did not start"}
        onDismiss={start.clearError}
      />
      <form
        className="start-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void start.run();
        }}
      >
        <div className="field">
          <label htmlFor="start-version">Description version</label>
          <select id="start-version" value={descriptionId} onChange={(e) => setS((x) => ({ ...x, description_id: e.target.value }))}>
            {versions.map((v) => (
              <option key={v.id} value={v.id}>
                v{v.version}
                {v.version === 1 ? " (first)" : ""} — {v.token_count} tokens
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="start-model">Model</label>
          <select
            id="start-model"
            value={s.model ?? ""}
            onChange={(e) => setS((x) => ({ ...x, model: e.target.value, candidates: e.target.value === "evolve" ? DEFAULT_ARRAY : Math.min(x.candidates, 8) }))}
          >
            <option value="">Image-to-image (refine one face)</option>
            <option value="evolve">Evolve (arrays of faces)</option>
          </select>
          {s.model === "evolve" && <span className="field-hint">The witness picks and rates up to three faces of each array; internal features evolve first.</span>}
        </div>
        <div className="field">
          <label htmlFor="start-candidates">{s.model === "evolve" ? `Array size (up to ${MAX_ARRAY})` : "Candidates per round"}</label>
          <input id="start-candidates" type="number" min={1} max={maxFaces} value={s.candidates} onChange={(e) => setS((x) => ({ ...x, candidates: Math.max(1, Math.min(maxFaces, Number(e.target.value) || 1)) }))} />
        </div>
        <div className="field">
          <label htmlFor="start-rounds">Planned rounds</label>
          <input id="start-rounds" type="number" min={1} max={20} value={s.rounds} onChange={(e) => setS((x) => ({ ...x, rounds: Math.max(1, Math.min(20, Number(e.target.value) || 1)) }))} />
        </div>
        <ReferencePicker file={reference} onFile={setReference} sketchify={sketchify} onSketchify={setSketchify} />
        <details className="start-advanced">
          <summary>Advanced</summary>
          <div className="start-grid-inner">
            <TextField label="Steps" value={s.steps} onChange={(steps) => setS((x) => ({ ...x, steps }))} placeholder="30" inputMode="numeric" />
            <TextField label="Guidance" value={s.guidance} onChange={(guidance) => setS((x) => ({ ...x, guidance }))} placeholder="7.5" inputMode="decimal" />
            <TextField label="Seed" value={s.seed} onChange={(seed) => setS((x) => ({ ...x, seed }))} placeholder="random" inputMode="numeric" />
            <div className="field">
              <label htmlFor="start-size">Image size</label>
              <select id="start-size" value={s.size} onChange={(e) => setS((x) => ({ ...x, size: e.target.value }))}>
                <option value="">Model default</option>
                <option value="64">64 × 64 (quick check)</option>
                <option value="256">256 × 256 (fast)</option>
                <option value="512">512 × 512</option>
                <option value="768">768 × 768</option>
              </select>
            </div>
          </div>
        </details>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={start.pending || !descriptionId}>
            {start.pending ? (reference ? "Uploading and starting…" : "Starting…") : "Start session"}
          </button>
        </div>
      </form>
    </section>
  );
}
