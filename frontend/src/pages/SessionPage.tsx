import { useCallback, useEffect, useMemo, useState } from "react";
import { useParams } from "react-router";
import { api, ApiError, type Candidate, type Session } from "../api";
import { useAction, useDocumentTitle, useDraftState, useInterval, useResource } from "../hooks";
import { useJobProgress } from "../jobProgress";
import { ErrorNotice, Loading, PageHeader } from "../components/ui";
import { CompareView } from "../components/CompareView";
import { WitnessLinkDialog } from "../components/WitnessLinkDialog";
import { addToCompare, toggleCompare } from "../lib/compare";
import { engineInForce, engineProblem } from "../lib/engine";
import type { MaskCanvas } from "../lib/mask";
import { isExposureCapError } from "../lib/safeguards";
import { candidateLabel, indexCandidates, latestRound, runningRound, sortedCandidates, type CandidateRef } from "../lib/roundTree";
import { FinalPanel } from "./session/FinalPanel";
import { RefinePanel } from "./session/RefinePanel";
import { RoundView } from "./session/RoundView";
import { ExposureBar } from "./session/ExposureBar";
import { ApproveDialog, MaskDialog, ShortcutHelpDialog } from "./session/SessionDialogs";
import { NoticeToast, SessionHeader } from "./session/SessionHeader";
import { SessionHistory } from "./session/SessionHistory";
import { keepSettings, roundInput, useRefineDraft } from "./session/useRefineDraft";
import { EvolveRefine } from "./session/EvolveRefine";
import { isEvolve } from "../lib/evolve";
import { useRoundNotice } from "./session/useRoundNotice";
import { useSessionShortcuts } from "./session/useSessionShortcuts";
import { useViewedRound } from "./session/useViewedRound";
import { useWitnessLinks } from "./session/useWitnessLinks";

/**
 * One witness's composite session: the rounds on the left (SessionHistory),
 * the round on screen in the middle (RoundView), the pick and the next round
 * on the right (RefinePanel), and the dialogs over them.
 */
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

type SessionDialog = "compare" | "mask" | "approve" | "help" | "link";

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
  const view = useViewedRound(rounds);
  const { viewed, setChosenRound } = view;
  const viewedCandidates = useMemo(() => (viewed ? sortedCandidates(viewed) : []), [viewed]);
  const [focused, setFocused] = useState(0);
  const [focusedRound, setFocusedRound] = useState(viewed?.index);
  if (focusedRound !== viewed?.index) {
    // Another round on screen: the focus starts on its first face.
    setFocusedRound(viewed?.index);
    setFocused(0);
  }

  const { refine, setRefine, discardRefine } = useRefineDraft(session.id);
  const registry = useResource((signal) => api.getRegistry(signal), "registry");
  const inForce = useMemo(() => engineInForce(latest?.settings), [latest?.settings]);
  const problem = engineProblem(refine.model, refine.clipAdapterId, inForce, registry.data);
  const links = useWitnessLinks(session.id);
  const [compareIds, setCompareIds] = useDraftState<string[]>(`compare:${session.id}`, []);
  const [mask, setMask] = useState<MaskCanvas | null>(null);
  const [dialog, setDialog] = useState<SessionDialog | null>(null);
  const closeDialog = () => setDialog(null);
  const { notice, setNotice, startedHereRef, submittingRef } = useRoundNotice(rounds, byId);
  // While on, the faces on this screen are fetched with ?witness_viewing=1 and so recorded as shown.
  const [witnessViewing, setWitnessViewing] = useState(false);
  const [exposureReason, setExposureReason] = useState("");
  const [capRefused, setCapRefused] = useState(false);

  const picked: CandidateRef | undefined = refine.pickedId ? byId.get(refine.pickedId) : undefined;
  // Model evolve: its own panel (several rated picks), unless the artist leaves it for another model.
  const [evolvePanel, setEvolvePanel] = useDraftState<boolean | null>(`evolve-panel:${session.id}`, null);
  const showEvolve = isEvolve(refine.model) || (isEvolve(latest?.model) && evolvePanel !== false);
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
  useInterval(reload, running ? 2500 : links.open ? 3000 : 6000, !approved);

  const cancel = useAction(async () => {
    if (!running?.job_id) return;
    await api.cancelJob(running.job_id);
    reload();
  });

  const next = useAction(async () => {
    if (!picked) throw new ApiError(-1, "Pick a candidate first: click it, or focus it and press Enter.");
    if (refine.rating === null) throw new ApiError(-1, "Rate how close the pick is (0–10) before drawing the next round.");
    if (problem) throw new ApiError(-1, problem);
    submittingRef.current = true;
    try {
      let maskUploadId: string | undefined;
      if (mask && !mask.isEmpty()) {
        const upload = await api.uploadMask(session.case_id, new Blob([mask.toPng()], { type: "image/png" }));
        maskUploadId = upload.id;
      }
      const reason = exposureReason.trim();
      const input = roundInput(refine, picked.candidate.id, refine.rating, inForce, maskUploadId, session.working);
      const updated = await api.nextRound(session.id, reason ? { ...input, exposure_reason: reason } : input);
      startedHereRef.current = latestRound(updated.rounds)?.index ?? null;
      setSession(updated);
      setRefine(keepSettings);
      setMask(null);
      setExposureReason("");
      setCapRefused(false);
      setChosenRound(null);
      setNotice(`Round ${latestRound(updated.rounds)?.index ?? ""} queued from ${candidateLabel(picked)}.`);
      return updated;
    } finally {
      submittingRef.current = false;
    }
  });

  // The cap refused a round: ask for a reason until a round goes through.
  const nextError = next.error;
  useEffect(() => {
    // Sticky until a round goes through: typing the reason clears the error, not the need for one.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    if (isExposureCapError(nextError)) setCapRefused(true);
  }, [nextError]);
  // An error banner goes once its cause is fixed: a pick, a rating, another region or mask, a model that works, a reason.
  const clearNextError = next.clearError;
  useEffect(() => {
    clearNextError();
  }, [refine.pickedId, refine.rating, refine.region, mask, problem, exposureReason, clearNextError]);

  const approve = useAction(async (statement: string, confidence: number) => {
    if (!picked) return;
    const updated = await api.approve(session.id, picked.candidate.id, statement.trim(), confidence);
    setSession(updated);
    setDialog(null);
    discardRefine();
    window.scrollTo({ top: 0 });
    return updated;
  });

  useSessionShortcuts({
    candidates: viewedCandidates,
    focused,
    setFocused,
    paused: dialog !== null,
    canPick: !approved,
    onPick: pick,
    onCompare: (c) => {
      if (c) setCompareIds((ids) => addToCompare(ids, c.id));
      setDialog("compare");
    },
    onHelp: () => setDialog("help"),
  });

  return (
    <div className="page page-full session-page">
      <SessionHeader
        session={session}
        crumbs={crumbs}
        witnessName={witnessName}
        interviewUrl={interviewUrl}
        openLink={links.open}
        now={links.now}
        compareCount={compareItems.length}
        onLink={() => setDialog("link")}
        onCompare={() => setDialog("compare")}
        onHelp={() => setDialog("help")}
      />
      <ExposureBar session={session} witnessViewing={witnessViewing} onWitnessViewing={setWitnessViewing} />
      <ErrorNotice error={loadError} title="Could not refresh the session" onRetry={reload} compact />
      <NoticeToast notice={notice} onDismiss={() => setNotice(null)} />

      <div className="session-layout">
        <SessionHistory rounds={rounds} selectedIndex={viewed?.index ?? null} onSelect={(i) => setChosenRound(i)} finalId={session.final_candidate_id} picked={picked} />
        <RoundView
          rounds={rounds}
          byId={byId}
          view={view}
          running={running}
          progress={progress}
          onCancel={() => void cancel.run()}
          cancelling={cancel.pending}
          cancelError={cancel.error}
          onDismissCancelError={cancel.clearError}
          focused={focused}
          setFocused={setFocused}
          pickedId={refine.pickedId}
          compareIds={compareIds}
          finalId={session.final_candidate_id}
          onPick={pick}
          onToggleCompare={(c) => setCompareIds((ids) => toggleCompare(ids, c.id))}
          approved={approved}
          witnessViewing={witnessViewing}
        />
        <aside className="session-refine" aria-labelledby="refine-title">
          {approved ? (
            <FinalPanel session={session} final={session.final_candidate_id ? byId.get(session.final_candidate_id) : undefined} />
          ) : showEvolve ? (
            <>
              <EvolveRefine
                sessionId={session.id}
                viewed={viewed}
                running={running}
                onStarted={(updated) => {
                  startedHereRef.current = latestRound(updated.rounds)?.index ?? null;
                  setSession(updated);
                  setChosenRound(null);
                  setNotice(`Round ${latestRound(updated.rounds)?.index ?? ""} queued: the next array.`);
                }}
                onLeave={() => {
                  setEvolvePanel(false);
                  setRefine((r) => ({ ...r, model: isEvolve(r.model) ? "img2img" : r.model }));
                }}
              />
              <button type="button" className="btn btn-block" disabled={!picked || approve.pending} onClick={() => setDialog("approve")}>
                Approve as final composite…
              </button>
            </>
          ) : (
            <RefinePanel
              sessionId={session.id}
              working={session.working}
              nextIndex={(latest?.index ?? 0) + 1}
              refine={refine}
              setRefine={setRefine}
              picked={picked}
              mask={mask}
              onPaintMask={() => setDialog("mask")}
              onRemoveMask={() => setMask(null)}
              registry={registry.data}
              registryError={registry.error}
              onRetryRegistry={registry.reload}
              inForce={inForce}
              problem={problem}
              viewed={viewed}
              running={running}
              onNext={() => void next.run()}
              nextPending={next.pending}
              nextError={next.error}
              onDismissNextError={next.clearError}
              onApprove={() => setDialog("approve")}
              approvePending={approve.pending}
              askExposureReason={capRefused || !!session.warning}
              exposureReason={exposureReason}
              onExposureReason={setExposureReason}
            />
          )}
        </aside>
      </div>

      {dialog === "compare" && (
        <CompareView
          items={compareItems}
          pickedId={refine.pickedId}
          onClose={closeDialog}
          onRemove={(id) => setCompareIds((ids) => ids.filter((x) => x !== id))}
          onPick={approved ? undefined : (ref) => pick(ref.candidate)}
          witnessViewing={witnessViewing}
        />
      )}
      {dialog === "mask" && picked && (
        <MaskDialog
          picked={picked}
          mask={mask}
          onClose={closeDialog}
          onDone={(m) => {
            setMask(m);
            if (m) setRefine((r) => ({ ...r, region: "" }));
            setDialog(null);
          }}
        />
      )}
      {dialog === "approve" && picked && (
        <ApproveDialog picked={picked} onApprove={(statement, confidence) => void approve.run(statement, confidence)} pending={approve.pending} error={approve.error} onClose={closeDialog} />
      )}
      {dialog === "link" && (
        <WitnessLinkDialog sessionId={session.id} links={links.links} urls={links.urls} onCreated={links.created} onRevoked={links.revoked} onClose={closeDialog} />
      )}
      {dialog === "help" && <ShortcutHelpDialog onClose={closeDialog} />}
    </div>
  );
}
