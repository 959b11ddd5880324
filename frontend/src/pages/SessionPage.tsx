import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { api, ApiError, startNextRound, type AdapterChoice, type AdapterSchedule, type Candidate, type ModelId, type Round, type Session, type WitnessLink } from "../api";
import { useAction, useDocumentTitle, useDraftState, useInterval, useNow, useResource } from "../hooks";
import { useJobProgress } from "../jobProgress";
import { Badge, Dialog, ErrorNotice, KeyHint, Loading, Notice, PageHeader } from "../components/ui";
import { CandidateGrid } from "../components/CandidateGrid";
import { CandidateImage } from "../components/CandidateImage";
import { CompareView } from "../components/CompareView";
import { MaskPainter } from "../components/MaskPainter";
import { RatingInput } from "../components/RatingInput";
import { RegionPicker } from "../components/RegionPicker";
import { RoundProgress } from "../components/RoundProgress";
import { RoundTree } from "../components/RoundTree";
import { TokenMeter } from "../components/TokenMeter";
import { LoraAdapterPicker, ModelPicker, StylePicker } from "../components/EngineControls";
import { WitnessLinkDialog } from "../components/WitnessLinkDialog";
import { addToCompare, toggleCompare } from "../lib/compare";
import { modelLabel } from "../lib/format";
import { describeInForce, engineInForce, engineProblem, sameAdapters } from "../lib/engine";
import { activeLink, addLink, expiryLabel, markRevoked, type IssuedLink } from "../lib/witnessLink";
import type { MaskCanvas } from "../lib/mask";
import { isFinal, STATUS_LABEL } from "../lib/progress";
import { candidateLabel, indexCandidates, latestRound, lineage, runningRound, sortedCandidates, type CandidateRef } from "../lib/roundTree";
import { keyToAction, moveIndex, SHORTCUT_HELP } from "../lib/shortcuts";

interface RefineDraft {
  pickedId: string | null;
  rating: number | null;
  feedback: string;
  region: string;
  model: string;
  /** Model 3's CLIP LoRA adapter ("" = keep the one in force). */
  clipAdapterId: string;
  /** UNet LoRA adapters with weights (null = keep what is in force). */
  adapters: AdapterChoice[] | null;
  adapterSchedule: "" | AdapterSchedule;
  strength: string;
  steps: string;
  guidance: string;
  editPrompt: boolean;
  prompt: string;
  style: string;
  styleBlend: string;
  fusionWeight: string;
}

const EMPTY_REFINE: RefineDraft = {
  pickedId: null,
  rating: null,
  feedback: "",
  region: "",
  model: "img2img",
  clipAdapterId: "",
  adapters: null,
  adapterSchedule: "",
  strength: "",
  steps: "",
  guidance: "",
  editPrompt: false,
  prompt: "",
  style: "",
  styleBlend: "",
  fusionWeight: "",
};

function num(value: string): number | undefined {
  const n = Number(value.trim().replace(",", "."));
  return value.trim() && Number.isFinite(n) ? n : undefined;
}

export function SessionPage() {
  const { sessionId = "" } = useParams();
  const session = useResource((signal) => api.getSession(sessionId, signal), sessionId);
  const s = session.data;
  const caseDetail = useResource((signal) => api.getCase(s!.case_id, signal), s ? s.case_id : null);
  const witness = caseDetail.data?.witnesses.find((w) => w.id === s?.witness_id);
  useDocumentTitle(witness ? `Session — ${witness.name}` : "Session");

  const crumbs = [
    { label: "Cases", to: "/cases" },
    { label: caseDetail.data?.reference ?? "Case", to: s ? `/cases/${s.case_id}` : undefined },
    { label: witness ? `Session: ${witness.name}` : "Session" },
  ];

  if (!s) {
    return (
      <div className="page">
        <PageHeader title="Composite session" crumbs={crumbs} />
        {session.error ? <ErrorNotice error={session.error} title="Could not open this session" onRetry={session.reload} /> : <Loading what="the session" />}
      </div>
    );
  }
  return (
    <SessionWorkspace
      session={s}
      setSession={(next) => session.setData(next)}
      reload={session.reload}
      loadError={session.error}
      crumbs={crumbs}
      witnessName={witness?.name ?? "witness"}
      interviewUrl={witness ? `/cases/${s.case_id}/witnesses/${witness.id}` : `/cases/${s.case_id}`}
    />
  );
}

function SessionWorkspace({
  session,
  setSession,
  reload,
  loadError,
  crumbs,
  witnessName,
  interviewUrl,
}: {
  session: Session;
  setSession: (s: Session) => void;
  reload: () => void;
  loadError: ApiError | null;
  crumbs: { label: string; to?: string }[];
  witnessName: string;
  interviewUrl: string;
}) {
  const rounds = session.rounds;
  const byId = useMemo(() => indexCandidates(rounds), [rounds]);
  const latest = latestRound(rounds);
  const running = runningRound(rounds);
  const approved = session.status === "approved";

  // Which round is on screen: follows the newest unless the artist chose an older one.
  const [chosenRound, setChosenRound] = useState<number | null>(null);
  const lastCount = useRef(rounds.length);
  useEffect(() => {
    if (rounds.length > lastCount.current) setChosenRound(null);
    lastCount.current = rounds.length;
  }, [rounds.length]);
  // A cancelled or failed newest round has nothing to look at: show the newest faces instead.
  const newestWithFaces = [...rounds].reverse().find((r) => r.candidates.length > 0);
  const followed = latest && (latest.candidates.length > 0 || !isFinal(latest.status) || !newestWithFaces) ? latest : newestWithFaces;
  const viewed: Round | undefined = rounds.find((r) => r.index === chosenRound) ?? followed;
  const hiddenLatest = latest && viewed && latest.index !== viewed.index && chosenRound === null ? latest : undefined;
  const viewedCandidates = viewed ? sortedCandidates(viewed) : [];

  const [focused, setFocused] = useState(0);
  useEffect(() => setFocused(0), [viewed?.index]);

  const [storedRefine, setRefine, discardRefine] = useDraftState<RefineDraft>(`refine:${session.id}`, EMPTY_REFINE);
  // A draft saved before a field existed gets that field's default.
  const refine: RefineDraft = { ...EMPTY_REFINE, ...storedRefine };
  const registry = useResource((signal) => api.getRegistry(signal), "registry");
  const inForce = useMemo(() => engineInForce(latest?.settings), [latest?.settings]);
  const problem = engineProblem(refine.model, refine.clipAdapterId, inForce, registry.data);
  const now = useNow(15_000);
  const [links, setLinks] = useDraftState<IssuedLink[]>(`witness-links:${session.id}`, []);
  // The addresses stay in memory only: the token in them opens the witness view.
  const [linkUrls, setLinkUrls] = useState<ReadonlyMap<string, string>>(() => new Map());
  const [linkOpen, setLinkOpen] = useState(false);
  const openLink = activeLink(links, now);
  const linkCreated = (link: WitnessLink) => {
    setLinks((ls) => addLink(ls, { id: link.id, expires_at: link.expires_at, created_at: new Date().toISOString(), revoked: false }));
    setLinkUrls((m) => new Map(m).set(link.id, link.url));
  };
  const [compareIds, setCompareIds] = useDraftState<string[]>(`compare:${session.id}`, []);
  const [compareOpen, setCompareOpen] = useState(false);
  const [mask, setMask] = useState<MaskCanvas | null>(null);
  const [maskOpen, setMaskOpen] = useState(false);
  const [approveOpen, setApproveOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    if (!notice) return;
    const id = window.setTimeout(() => setNotice(null), 7000);
    return () => window.clearTimeout(id);
  }, [notice]);
  // A round this page did not start came from the witness (their screen or a witness link): say so.
  const startedHere = useRef<number | null>(null);
  const submitting = useRef(false);
  const seenCount = useRef(rounds.length);
  useEffect(() => {
    if (rounds.length > seenCount.current) {
      const newest = latestRound(rounds);
      if (newest && newest.index !== startedHere.current && !submitting.current) setNotice(witnessRoundNotice(newest, byId));
    }
    seenCount.current = rounds.length;
  }, [rounds, byId]);

  const picked: CandidateRef | undefined = refine.pickedId ? byId.get(refine.pickedId) : undefined;
  const compareItems = compareIds.map((id) => byId.get(id)).filter((x): x is CandidateRef => !!x);

  const pick = useCallback(
    (c: Candidate) => {
      setRefine((r) => (r.pickedId === c.id ? r : { ...r, pickedId: c.id }));
      setMask(null);
    },
    [setRefine],
  );

  // Live progress over SSE; reload the session when the round finishes.
  const progress = useJobProgress(running?.job_id ?? null, () => reload());
  // Poll too: the witness screen may start a round, and SSE may be unavailable.
  // With a witness link out, look more often: the witness may pick at any moment.
  useInterval(reload, running ? 2500 : openLink ? 3000 : 6000, !approved);

  const cancel = useAction(async () => {
    if (!running?.job_id) return;
    await api.cancelJob(running.job_id);
    reload();
  });

  const next = useAction(async () => {
    if (!picked) throw new ApiError(-1, "Pick a candidate first: click it, or focus it and press Enter.");
    if (refine.rating === null) throw new ApiError(-1, "Rate how close the pick is (0–10) before drawing the next round.");
    if (problem) throw new ApiError(-1, problem);
    submitting.current = true;
    try {
      return await submitRound(picked, refine.rating);
    } finally {
      submitting.current = false;
    }
  });

  const submitRound = async (picked: CandidateRef, rating: number) => {
    let maskUploadId: string | undefined;
    if (mask && !mask.isEmpty()) {
      const png = new Blob([mask.toPng()], { type: "image/png" });
      const upload = await api.uploadMask(session.case_id, png);
      maskUploadId = upload.id;
    }
    const { session: updated, dropped } = await startNextRound(session.id, {
      candidate_id: picked.candidate.id,
      rating,
      feedback: refine.feedback.trim(),
      model: refine.model as ModelId,
      clip_adapter_id: refine.model === "clip-lora" && refine.clipAdapterId ? refine.clipAdapterId : undefined,
      // null = keep the adapters in force; an unchanged choice is not sent again.
      adapters: refine.adapters && !sameAdapters(refine.adapters, inForce.adapters) ? refine.adapters : undefined,
      adapter_schedule: refine.adapterSchedule && refine.adapterSchedule !== inForce.schedule ? refine.adapterSchedule : undefined,
      // A region or a painted mask, never both.
      region: maskUploadId ? undefined : refine.region || undefined,
      mask_upload_id: maskUploadId,
      strength: num(refine.strength),
      steps: num(refine.steps),
      guidance: num(refine.guidance),
      style: refine.style || undefined,
      style_blend: num(refine.styleBlend),
      fusion_weight: refine.model === "img2img" ? undefined : num(refine.fusionWeight),
      prompt: refine.editPrompt && refine.prompt.trim() ? refine.prompt.trim() : undefined,
    });
    startedHere.current = latestRound(updated.rounds)?.index ?? null;
    setSession(updated);
    // Keep the model settings; the pick, rating and words belong to this round.
    setRefine((r) => ({
      ...EMPTY_REFINE,
      model: r.model,
      clipAdapterId: r.clipAdapterId,
      adapters: r.adapters,
      adapterSchedule: r.adapterSchedule,
      strength: r.strength,
      steps: r.steps,
      guidance: r.guidance,
      style: r.style,
      styleBlend: r.styleBlend,
      fusionWeight: r.fusionWeight,
    }));
    setMask(null);
    setChosenRound(null);
    setNotice(
      `Round ${latestRound(updated.rounds)?.index ?? ""} queued from ${candidateLabel(picked)}.` +
        (dropped.length ? ` The server does not take ${dropped.join(" / ")} yet: the whole face is refined.` : ""),
    );
    return updated;
  };

  const approve = useAction(async () => {
    if (!picked) return;
    const updated = await api.approve(session.id, picked.candidate.id);
    setSession(updated);
    setApproveOpen(false);
    discardRefine();
    window.scrollTo({ top: 0 });
    return updated;
  });

  // Keyboard: ← → move, 1-8 jump, Enter/P pick, C compare, ? help.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (compareOpen || maskOpen || approveOpen || helpOpen || linkOpen) return;
      const action = keyToAction(e);
      if (!action) return;
      const count = viewedCandidates.length;
      switch (action.type) {
        case "move":
          if (!count) return;
          e.preventDefault();
          setFocused((f) => moveIndex(f, action.delta, count));
          break;
        case "jump":
          if (action.index < count) {
            e.preventDefault();
            setFocused(action.index);
          }
          break;
        case "pick": {
          const c = viewedCandidates[focused];
          if (c && !approved) {
            e.preventDefault();
            pick(c);
          }
          break;
        }
        case "compare": {
          e.preventDefault();
          const c = viewedCandidates[focused];
          if (c) setCompareIds((ids) => addToCompare(ids, c.id));
          setCompareOpen(true);
          break;
        }
        case "help":
          e.preventDefault();
          setHelpOpen(true);
          break;
        case "close":
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [viewedCandidates, focused, compareOpen, maskOpen, approveOpen, helpOpen, linkOpen, approved, pick, setCompareIds]);

  const final = session.final_candidate_id ? byId.get(session.final_candidate_id) : undefined;
  const roundsDone = rounds.filter((r) => r.status === "succeeded").length;

  return (
    <div className="page page-full session-page">
      <PageHeader
        crumbs={crumbs}
        title={`Composite — ${witnessName}`}
        badge={
          <>
            {approved ? <Badge tone="success">Approved</Badge> : <Badge tone="accent">Active</Badge>}
            {openLink && !approved && (
              <Badge tone="warning" title="A witness link for this session can be opened on another device">
                Witness link · {expiryLabel(openLink.expires_at, now).replace(/^Expires/, "until")}
              </Badge>
            )}
          </>
        }
        subtitle={
          <>
            {rounds.length} of {session.max_rounds} planned rounds · {roundsDone} drawn ·{" "}
            <Link to={interviewUrl}>description &amp; interview</Link>
          </>
        }
        actions={
          <>
            <a className="btn" href={`/witness/${session.id}`} target="likeness-witness" rel="noopener">
              Open witness screen
            </a>
            {!approved && (
              <button type="button" className="btn" onClick={() => setLinkOpen(true)} aria-haspopup="dialog">
                Witness link…
              </button>
            )}
            <button type="button" className="btn" onClick={() => setCompareOpen(true)} aria-label={`Compare (${compareItems.length} selected)`}>
              Compare <span className="count-pill">{compareItems.length}</span>
            </button>
            <button type="button" className="btn btn-quiet btn-icon" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts">
              ?
            </button>
          </>
        }
      />
      <ErrorNotice error={loadError} title="Could not refresh the session" onRetry={reload} compact />
      {notice && (
        <div className="toast" role="status">
          {notice}
          <button type="button" className="btn btn-quiet btn-small" onClick={() => setNotice(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      )}

      <div className="session-layout">
        <aside className="session-history" aria-labelledby="history-title">
          <h2 id="history-title" className="panel-title">
            Rounds
          </h2>
          <RoundTree rounds={rounds} selectedIndex={viewed?.index ?? null} onSelect={(i) => setChosenRound(i)} finalId={session.final_candidate_id} />
          {picked && (
            <div className="lineage">
              <h3 className="subhead">Lineage of the pick</h3>
              <ol className="lineage-list">
                {lineage(rounds, picked.candidate.id).map((ref) => (
                  <li key={ref.candidate.id}>
                    <img src={ref.candidate.image_url} alt={`Candidate ${candidateLabel(ref)}`} />
                    <span className="small">{candidateLabel(ref)}</span>
                  </li>
                ))}
              </ol>
            </div>
          )}
        </aside>

        <section className="session-main" aria-labelledby="round-title">
          {hiddenLatest && (
            <Notice kind="warning">
              Round {hiddenLatest.index} {hiddenLatest.status === "failed" ? `failed${hiddenLatest.error ? `: ${hiddenLatest.error}` : ""}` : "was cancelled"}. Showing round{" "}
              {viewed?.index}; pick any candidate to continue.
            </Notice>
          )}
          {viewed ? (
            <>
              <div className="round-head">
                <h2 id="round-title">
                  Round {viewed.index}
                  <span className="muted round-head-sub">
                    {" "}
                    · {viewed.mode === "txt2img" ? "from the description" : `${modelLabel(viewed.model ?? viewed.mode)}, from ${viewed.parent_candidate_id && byId.get(viewed.parent_candidate_id) ? candidateLabel(byId.get(viewed.parent_candidate_id)!) : "a pick"}`}
                  </span>
                </h2>
                <div className="round-nav">
                  <Badge tone={viewed.status === "failed" ? "danger" : viewed.status === "succeeded" ? "neutral" : "accent"}>{STATUS_LABEL[viewed.status]}</Badge>
                  {chosenRound !== null && followed && viewed.index !== followed.index && (
                    <button type="button" className="btn btn-small" onClick={() => setChosenRound(null)}>
                      Back to latest (round {followed.index})
                    </button>
                  )}
                </div>
              </div>
              {viewed.feedback && (
                <p className="round-feedback">
                  <span className="muted">Asked for:</span> “{viewed.feedback}”{viewed.region && <span className="muted"> · region {viewed.region}</span>}
                </p>
              )}
              {(viewed.status === "queued" || viewed.status === "running") && (
                <RoundProgress round={viewed} progress={viewed.index === running?.index ? progress : null} onCancel={() => void cancel.run()} cancelling={cancel.pending} />
              )}
              <ErrorNotice error={cancel.error} title="The round was not cancelled" onDismiss={cancel.clearError} compact />
              {viewed.status === "failed" && (
                <ErrorNotice
                  error={viewed.error || "The worker could not draw this round."}
                  title={`Round ${viewed.index} failed`}
                  compact
                />
              )}
              {viewed.status === "failed" && (
                <p className="muted small">Pick a candidate from an earlier round in the history to try again from there.</p>
              )}
              {viewed.status === "cancelled" && <Notice>Round {viewed.index} was cancelled. Pick a candidate from any round to continue.</Notice>}
              {(viewed.candidates.length > 0 || viewed.status === "queued" || viewed.status === "running") && (
                <CandidateGrid
                  round={viewed}
                  focusedIndex={focused}
                  pickedId={refine.pickedId}
                  compareIds={compareIds}
                  finalId={session.final_candidate_id}
                  onFocus={setFocused}
                  onPick={pick}
                  onToggleCompare={(c) => setCompareIds((ids) => toggleCompare(ids, c.id))}
                  expected={latestCandidateCount(rounds)}
                  disabled={approved}
                />
              )}
              <p className="shortcut-line muted small">
                <KeyHint>←</KeyHint> <KeyHint>→</KeyHint> move · <KeyHint>Enter</KeyHint> or <KeyHint>P</KeyHint> pick · <KeyHint>C</KeyHint> compare ·{" "}
                <KeyHint>?</KeyHint> all shortcuts
              </p>
              <details className="round-prompt">
                <summary>Prompt and settings of round {viewed.index}</summary>
                <TokenMeter count={viewed.token_count} />
                <div className="prompt-box">{viewed.prompt}</div>
                {viewed.settings && Object.keys(viewed.settings).length > 0 && (
                  <dl className="kv round-settings">
                    {Object.entries(viewed.settings).map(([k, v]) => (
                      <div key={k}>
                        <dt>{k}</dt>
                        <dd className="mono wrap">{v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </details>
            </>
          ) : (
            <Loading what="the first round" />
          )}
        </section>

        <aside className="session-refine" aria-labelledby="refine-title">
          {approved ? (
            <div className="panel final-panel">
              <h2 id="refine-title" className="panel-title">
                Final composite
              </h2>
              {final ? (
                <>
                  <CandidateImage src={final.candidate.image_url} alt={`Final composite ${candidateLabel(final)}`} className="final-img" />
                  <p>
                    Approved <strong>{candidateLabel(final)}</strong>. The session is closed; every round stays on record.
                  </p>
                </>
              ) : (
                <p>The session is approved.</p>
              )}
              <a className="btn btn-primary" href={api.exportUrl(session.case_id)} download>
                Export case (ZIP)
              </a>
            </div>
          ) : (
            <form
              className="panel refine-panel"
              onSubmit={(e) => {
                e.preventDefault();
                void next.run();
              }}
              aria-labelledby="refine-title"
            >
              <h2 id="refine-title" className="panel-title">
                Refine
              </h2>
              {picked ? (
                <div className="picked">
                  <CandidateImage src={picked.candidate.image_url} alt={`Picked candidate ${candidateLabel(picked)}`} className="picked-img" />
                  <div className="picked-meta">
                    <strong>Picked {candidateLabel(picked)}</strong>
                    <span className="muted small">seed {picked.candidate.seed}</span>
                    {mask && <span className="badge badge-warning">mask {Math.max(1, Math.round(mask.coverage() * 100))}%</span>}
                  </div>
                </div>
              ) : (
                <p className="picked-empty muted">Pick the closest candidate: click it, or move with ← → and press Enter.</p>
              )}
              <RatingInput value={refine.rating} onChange={(rating) => setRefine((r) => ({ ...r, rating }))} label="Likeness of the pick (0–10)" />
              <div className="field">
                <label htmlFor="refine-feedback">What should change?</label>
                <textarea
                  id="refine-feedback"
                  rows={3}
                  value={refine.feedback}
                  placeholder="e.g. nose wider, eyes further apart, hair shorter at the sides"
                  onChange={(e) => setRefine((r) => ({ ...r, feedback: e.target.value }))}
                />
              </div>
              <div className="field">
                <span className="field-label">Region to change</span>
                <RegionPicker value={mask ? "" : refine.region} disabled={!!mask} onChange={(region) => setRefine((r) => ({ ...r, region }))} />
                {mask && <span className="field-hint">The painted mask sets what changes. Remove it to choose a region instead.</span>}
              </div>
              <div className="mask-row">
                <button type="button" className="btn btn-small" disabled={!picked} onClick={() => setMaskOpen(true)}>
                  {mask ? "Edit painted mask" : "Paint a mask…"}
                </button>
                {mask && (
                  <button type="button" className="btn btn-small btn-quiet" onClick={() => setMask(null)}>
                    Remove mask
                  </button>
                )}
              </div>
              <fieldset className="model-controls">
                <legend>Next round</legend>
                <ModelPicker
                  model={refine.model}
                  onModel={(model) => setRefine((r) => ({ ...r, model }))}
                  clipAdapterId={refine.clipAdapterId}
                  onClipAdapter={(clipAdapterId) => setRefine((r) => ({ ...r, clipAdapterId }))}
                  registry={registry.data}
                  inForce={inForce}
                  problem={problem}
                />
                {refine.model !== "img2img" && (
                  <NumberField
                    id="refine-fusion"
                    label="CLIP image weight (0–1)"
                    value={refine.fusionWeight}
                    placeholder="model default"
                    onChange={(fusionWeight) => setRefine((r) => ({ ...r, fusionWeight }))}
                  />
                )}
                {describeInForce(inForce, registry.data) && (
                  <p className="in-force small" data-testid="engine-in-force">
                    <span className="muted">In force:</span> {describeInForce(inForce, registry.data)}
                  </p>
                )}
                <ErrorNotice error={registry.error} title="Could not read the model registry" onRetry={registry.reload} compact />
                <details>
                  <summary>LoRA adapters{(refine.adapters ?? inForce.adapters).length ? ` (${(refine.adapters ?? inForce.adapters).length} on)` : ""}</summary>
                  <LoraAdapterPicker
                    choice={refine.adapters}
                    onChoice={(adapters) => setRefine((r) => ({ ...r, adapters }))}
                    schedule={refine.adapterSchedule}
                    onSchedule={(adapterSchedule) => setRefine((r) => ({ ...r, adapterSchedule }))}
                    registry={registry.data}
                    inForce={inForce}
                  />
                </details>
                <details>
                  <summary>Style and strength</summary>
                  <StylePicker
                    style={refine.style}
                    onStyle={(style) => setRefine((r) => ({ ...r, style }))}
                    blend={refine.styleBlend}
                    onBlend={(styleBlend) => setRefine((r) => ({ ...r, styleBlend }))}
                    registry={registry.data}
                    inForce={inForce}
                  />
                  <p className="field-hint">Model, adapters, style and blend stay in force for the following rounds until changed.</p>
                  <div className="grid-3">
                    <NumberField id="refine-strength" label="Strength" value={refine.strength} placeholder="0.3" onChange={(strength) => setRefine((r) => ({ ...r, strength }))} />
                    <NumberField id="refine-steps" label="Steps" value={refine.steps} placeholder="30" onChange={(steps) => setRefine((r) => ({ ...r, steps }))} />
                    <NumberField id="refine-guidance" label="Guidance" value={refine.guidance} placeholder="7.5" onChange={(guidance) => setRefine((r) => ({ ...r, guidance }))} />
                  </div>
                  <label className="checkbox">
                    <input
                      type="checkbox"
                      checked={refine.editPrompt}
                      onChange={(e) => setRefine((r) => ({ ...r, editPrompt: e.target.checked, prompt: r.prompt || viewed?.prompt || "" }))}
                    />
                    Edit the prompt for the next round
                  </label>
                  {refine.editPrompt && (
                    <div className="field">
                      <label htmlFor="refine-prompt">Prompt override</label>
                      <textarea id="refine-prompt" rows={4} value={refine.prompt} onChange={(e) => setRefine((r) => ({ ...r, prompt: e.target.value }))} />
                    </div>
                  )}
                </details>
              </fieldset>
              <ErrorNotice error={next.error} title="The next round was not started" onDismiss={next.clearError} compact />
              <div className="refine-actions">
                <button type="submit" className="btn btn-primary btn-block" disabled={next.pending || !picked || !!running}>
                  {next.pending ? "Starting…" : running ? `Round ${running.index} is still drawing` : "Draw next round"}
                </button>
                <button type="button" className="btn btn-block" disabled={!picked || approve.pending} onClick={() => setApproveOpen(true)}>
                  Approve as final composite…
                </button>
              </div>
            </form>
          )}
        </aside>
      </div>

      {compareOpen && (
        <CompareView
          items={compareItems}
          pickedId={refine.pickedId}
          onClose={() => setCompareOpen(false)}
          onRemove={(id) => setCompareIds((ids) => ids.filter((x) => x !== id))}
          onPick={approved ? undefined : (ref) => pick(ref.candidate)}
        />
      )}
      {maskOpen && picked && (
        <Dialog title={`Paint the area to change on ${candidateLabel(picked)}`} onClose={() => setMaskOpen(false)} wide>
          <MaskPainter
            imageUrl={picked.candidate.image_url}
            initial={mask}
            onCancel={() => setMaskOpen(false)}
            onDone={(m) => {
              setMask(m);
              if (m) setRefine((r) => ({ ...r, region: "" }));
              setMaskOpen(false);
            }}
          />
        </Dialog>
      )}
      {approveOpen && picked && (
        <Dialog title="Approve the final composite?" onClose={() => setApproveOpen(false)}>
          <div className="stack">
            <CandidateImage src={picked.candidate.image_url} alt={`Candidate ${candidateLabel(picked)} to approve`} className="approve-img" />
            <p>
              <strong>{candidateLabel(picked)}</strong> becomes the composite for this witness. The session closes and no further rounds can be drawn.
              This is recorded in the audit trail.
            </p>
            <ErrorNotice error={approve.error} title="Not approved" compact />
            <div className="form-actions">
              <button type="button" className="btn btn-primary" onClick={() => void approve.run()} disabled={approve.pending}>
                {approve.pending ? "Approving…" : "Approve final composite"}
              </button>
              <button type="button" className="btn btn-quiet" onClick={() => setApproveOpen(false)}>
                Cancel
              </button>
            </div>
          </div>
        </Dialog>
      )}
      {linkOpen && (
        <WitnessLinkDialog
          sessionId={session.id}
          links={links}
          urls={linkUrls}
          onCreated={linkCreated}
          onRevoked={(id) => setLinks((ls) => markRevoked(ls, id))}
          onClose={() => setLinkOpen(false)}
        />
      )}
      {helpOpen && (
        <Dialog title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
          <table className="shortcut-table">
            <tbody>
              {SHORTCUT_HELP.map((s) => (
                <tr key={s.keys}>
                  <th scope="row">
                    <KeyHint>{s.keys}</KeyHint>
                  </th>
                  <td>{s.what}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Dialog>
      )}
    </div>
  );
}

function witnessRoundNotice(round: Round, byId: Map<string, CandidateRef>): string {
  const parent = round.parent_candidate_id ? byId.get(round.parent_candidate_id) : undefined;
  const rated = round.rating !== null ? `, rated ${round.rating}/10` : "";
  return `Round ${round.index} queued from the witness’s pick${parent ? ` ${candidateLabel(parent)}` : ""}${rated}.`;
}

function latestCandidateCount(rounds: Round[]): number {
  const withCandidates = rounds.filter((r) => r.candidates.length > 0);
  return withCandidates.length ? withCandidates[withCandidates.length - 1]!.candidates.length : 4;
}

function NumberField({ id, label, value, placeholder, onChange }: { id: string; label: string; value: string; placeholder: string; onChange: (v: string) => void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="text" inputMode="decimal" value={value} placeholder={placeholder} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
