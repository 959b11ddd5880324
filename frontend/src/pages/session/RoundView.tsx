import { useState } from "react";
import type { ApiError, Candidate, JobProgress, Region, Round } from "../../api";
import { Badge, ErrorNotice, KeyHint, Loading, Notice } from "../../components/ui";
import { CandidateGrid } from "../../components/CandidateGrid";
import { FocusView } from "../../components/FocusView";
import { roundMaskLabel } from "../../lib/safeguards";
import { RoundProgress } from "../../components/RoundProgress";
import { TokenMeter } from "../../components/TokenMeter";
import { REGIONS } from "../../lib/attributes";
import { modelLabel } from "../../lib/format";
import { STATUS_LABEL } from "../../lib/progress";
import { candidateLabel, type CandidateRef } from "../../lib/roundTree";
import type { ViewedRound } from "./useViewedRound";

/** The middle column: the round on screen, its progress or outcome, its faces, and what drew it. */
export function RoundView({
  rounds,
  byId,
  view,
  running,
  progress,
  onCancel,
  cancelling,
  cancelError,
  onDismissCancelError,
  focused,
  setFocused,
  pickedId,
  compareIds,
  finalId,
  onPick,
  onToggleCompare,
  approved,
  witnessViewing,
}: {
  rounds: Round[];
  byId: Map<string, CandidateRef>;
  view: ViewedRound;
  running: Round | undefined;
  progress: JobProgress | null;
  onCancel: () => void;
  cancelling: boolean;
  cancelError: ApiError | null;
  onDismissCancelError: () => void;
  focused: number;
  setFocused: (index: number) => void;
  pickedId: string | null;
  compareIds: string[];
  finalId: string | null;
  onPick: (c: Candidate) => void;
  onToggleCompare: (c: Candidate) => void;
  approved: boolean;
  witnessViewing: boolean;
}) {
  const [layout, setLayout] = useState<"grid" | "focus">("grid");
  const { viewed, followed, hiddenLatest, chosenRound, setChosenRound } = view;
  const parent = viewed?.parent_candidate_id ? byId.get(viewed.parent_candidate_id) : undefined;
  const maskLabel = viewed ? roundMaskLabel(viewed) : null;
  const focusable = !!viewed && viewed.candidates.length > 0;
  return (
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
                · {viewed.mode === "txt2img" ? "from the description" : `${modelLabel(viewed.model ?? viewed.mode)}, from ${parent ? candidateLabel(parent) : "a pick"}`}
              </span>
              {maskLabel && (
                <span className="badge badge-neutral round-mask" data-testid="round-mask">
                  {maskLabel}
                </span>
              )}
            </h2>
            <div className="round-nav">
              {focusable && (
                <div className="segmented" role="radiogroup" aria-label="Layout of the candidates">
                  {(["grid", "focus"] as const).map((l) => (
                    <button key={l} type="button" role="radio" aria-checked={layout === l} onClick={() => setLayout(l)}>
                      {l === "grid" ? "Grid" : "Focus"}
                    </button>
                  ))}
                </div>
              )}
              <Badge tone={viewed.status === "failed" ? "danger" : viewed.status === "succeeded" ? "neutral" : "accent"}>{STATUS_LABEL[viewed.status]}</Badge>
              {chosenRound !== null && followed && viewed.index !== followed.index && (
                <button type="button" className="btn btn-small" onClick={() => setChosenRound(null)}>
                  Back to latest (round {followed.index})
                </button>
              )}
            </div>
          </div>
          <RoundRequest round={viewed} />
          {viewed.exposure_reason && (
            <p className="round-feedback small">
              <span className="muted">Past the exposure cap because:</span> “{viewed.exposure_reason}”
            </p>
          )}
          {(viewed.status === "queued" || viewed.status === "running") && (
            <RoundProgress round={viewed} progress={viewed.index === running?.index ? progress : null} onCancel={onCancel} cancelling={cancelling} />
          )}
          <ErrorNotice error={cancelError} title="The round was not cancelled" onDismiss={onDismissCancelError} compact />
          {viewed.status === "failed" && (
            <ErrorNotice error={viewed.error || "The worker could not draw this round."} title={`Round ${viewed.index} failed`} compact />
          )}
          {viewed.status === "failed" && <p className="muted small">Pick a candidate from an earlier round in the history to try again from there.</p>}
          {viewed.status === "cancelled" && <Notice>Round {viewed.index} was cancelled. Pick a candidate from any round to continue.</Notice>}
          {layout === "focus" && focusable ? (
            <FocusView
              round={viewed}
              focusedIndex={focused}
              onFocus={setFocused}
              pickedId={pickedId}
              onPick={onPick}
              disabled={approved}
              witnessViewing={witnessViewing}
            />
          ) : (viewed.candidates.length > 0 || viewed.status === "queued" || viewed.status === "running") && (
            <CandidateGrid
              witnessViewing={witnessViewing}
              round={viewed}
              focusedIndex={focused}
              pickedId={pickedId}
              compareIds={compareIds}
              finalId={finalId}
              onFocus={setFocused}
              onPick={onPick}
              onToggleCompare={onToggleCompare}
              expected={latestCandidateCount(rounds)}
              disabled={approved}
            />
          )}
          <p className="shortcut-line muted small">
            <KeyHint>←</KeyHint> <KeyHint>→</KeyHint> move · <KeyHint>Enter</KeyHint> or <KeyHint>P</KeyHint> pick · <KeyHint>C</KeyHint> compare ·{" "}
            <KeyHint>?</KeyHint> all shortcuts
          </p>
          <RoundPromptDetails round={viewed} />
        </>
      ) : (
        <Loading what="the first round" />
      )}
    </section>
  );
}

/** What the round was asked to change: the words, and where (a named region or a painted mask). */
export function RoundRequest({ round }: { round: Round }) {
  const where = round.region ? `region ${regionLabel(round.region)}` : round.mask_sha256 ? "under a painted mask" : null;
  if (!round.feedback && !where) return null;
  return (
    <p className="round-feedback">
      {round.feedback ? (
        <>
          <span className="muted">Asked for:</span> “{round.feedback}”{where && <span className="muted"> · {where}</span>}
        </>
      ) : (
        <>
          <span className="muted">Changed only:</span> {where}
        </>
      )}
    </p>
  );
}

function regionLabel(region: Region): string {
  return REGIONS.find((r) => r.id === region)?.label.toLowerCase() ?? region;
}

/** The prompt, token count and engine settings that drew a round, folded away. */
function RoundPromptDetails({ round }: { round: Round }) {
  return (
    <details className="round-prompt">
      <summary>Prompt and settings of round {round.index}</summary>
      <TokenMeter count={round.token_count} />
      <div className="prompt-box">{round.prompt}</div>
      {round.settings && Object.keys(round.settings).length > 0 && (
        <dl className="kv round-settings">
          {Object.entries(round.settings).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="mono wrap">{v === null ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)}</dd>
            </div>
          ))}
        </dl>
      )}
    </details>
  );
}

/** How many faces the next round will likely have: as many as the newest round with faces. */
function latestCandidateCount(rounds: Round[]): number {
  const withCandidates = rounds.filter((r) => r.candidates.length > 0);
  return withCandidates.length ? withCandidates[withCandidates.length - 1]!.candidates.length : 4;
}
