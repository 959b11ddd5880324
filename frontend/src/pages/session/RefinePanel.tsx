import { useEffect, useRef, type Dispatch, type SetStateAction } from "react";
import type { ApiError, Registry, Round } from "../../api";
import { ErrorNotice } from "../../components/ui";
import { CompositeNotice, PhotographicBadge } from "../../components/CompositeNotice";
import { MaskOverlay } from "../../components/MaskOverlay";
import { RatingInput } from "../../components/RatingInput";
import { RegionPicker } from "../../components/RegionPicker";
import type { EngineInForce } from "../../lib/engine";
import type { MaskCanvas } from "../../lib/mask";
import { candidateLabel, type CandidateRef } from "../../lib/roundTree";
import { isCrossWitnessError } from "../../lib/safeguards";
import { ExposureReasonField } from "./ExposureReasonField";
import { NextRoundFields } from "./NextRoundFields";
import { RefineWorking } from "./RefineWorking";
import type { RefineDraft } from "./useRefineDraft";
import type { Working } from "../../lib/working";

/** The right column while the session is open: the pick, how close it is, what should change, and the engine for the next round. */
export function RefinePanel({
  sessionId,
  working,
  nextIndex,
  refine,
  setRefine,
  picked,
  mask,
  onPaintMask,
  onRemoveMask,
  registry,
  registryError,
  onRetryRegistry,
  inForce,
  problem,
  viewed,
  running,
  onNext,
  nextPending,
  nextError,
  onDismissNextError,
  onApprove,
  approvePending,
  askExposureReason,
  exposureReason,
  onExposureReason,
}: {
  sessionId: string;
  /** The session's working description (null on sessions from before it existed). */
  working?: Working | null;
  nextIndex: number;
  refine: RefineDraft;
  setRefine: Dispatch<SetStateAction<RefineDraft>>;
  picked: CandidateRef | undefined;
  mask: MaskCanvas | null;
  onPaintMask: () => void;
  onRemoveMask: () => void;
  registry: Registry | undefined;
  registryError: ApiError | null;
  onRetryRegistry: () => void;
  inForce: EngineInForce;
  problem: string | null;
  viewed: Round | undefined;
  running: Round | undefined;
  onNext: () => void;
  nextPending: boolean;
  nextError: ApiError | null;
  onDismissNextError: () => void;
  onApprove: () => void;
  approvePending: boolean;
  /** Asked for once the exposure cap refused a round, or from the cap's warning. */
  askExposureReason: boolean;
  exposureReason: string;
  onExposureReason: (reason: string) => void;
}) {
  // The error and the reason field sit under the buttons (which stay put on a laptop): bring them into view.
  const problemRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (nextError) problemRef.current?.scrollIntoView?.({ block: "nearest" });
  }, [nextError]);
  return (
    <form
      className="panel refine-panel"
      onSubmit={(e) => {
        e.preventDefault();
        onNext();
      }}
      aria-labelledby="refine-title"
    >
      <h2 id="refine-title" className="panel-title">
        Refine
      </h2>
      {picked ? (
        <div className="picked">
          <MaskOverlay
            src={picked.candidate.image_url}
            alt={`Picked candidate ${candidateLabel(picked)}`}
            mask={mask}
            region={refine.region}
            className={`picked-img${mask || refine.region ? " picked-img-masked" : ""}`}
          />
          <div className="picked-meta">
            <strong>Picked {candidateLabel(picked)}</strong>
            <span className="muted small">seed {picked.candidate.seed}</span>
            <CompositeNotice imageUrl={picked.candidate.image_url} download={`the pick ${candidateLabel(picked)}`} />
            {picked.candidate.photographic && <PhotographicBadge />}
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
          rows={2}
          value={refine.feedback}
          placeholder="e.g. nose wider, eyes further apart, hair shorter at the sides"
          onChange={(e) => setRefine((r) => ({ ...r, feedback: e.target.value }))}
        />
        <span className="field-hint">Kept exactly as the witness said it. The drawing comes from the working description below.</span>
      </div>
      <div className="refine-actions">
        <button type="submit" className="btn btn-primary btn-block" disabled={nextPending || !picked || !!running}>
          {nextPending ? "Starting…" : running ? `Round ${running.index} is still drawing` : "Draw next round"}
        </button>
        <button type="button" className="btn btn-block" disabled={!picked || approvePending} onClick={onApprove}>
          Approve as final composite…
        </button>
      </div>
      <div ref={problemRef} className="refine-problems">
        <ErrorNotice
          error={nextError}
          title={isCrossWitnessError(nextError) ? "Refused: this reference matches another witness's composite" : "The next round was not started"}
          onDismiss={onDismissNextError}
          compact
        />
        {askExposureReason && <ExposureReasonField value={exposureReason} onChange={onExposureReason} />}
      </div>
      <RefineWorking sessionId={sessionId} current={working} refine={refine} setRefine={setRefine} viewed={viewed} nextIndex={nextIndex} />
      <div className="field">
        <span className="field-label">Region to change</span>
        <RegionPicker value={mask ? "" : refine.region} disabled={!!mask} onChange={(region) => setRefine((r) => ({ ...r, region }))} />
        {mask && <span className="field-hint">The painted mask sets what changes. Remove it to choose a region instead.</span>}
      </div>
      <div className="mask-row">
        <button type="button" className="btn btn-small" disabled={!picked} onClick={onPaintMask}>
          {mask ? "Edit painted mask" : "Paint a mask…"}
        </button>
        {mask && (
          <button type="button" className="btn btn-small btn-quiet" onClick={onRemoveMask}>
            Remove mask
          </button>
        )}
      </div>
      <NextRoundFields
        refine={refine}
        setRefine={setRefine}
        registry={registry}
        registryError={registryError}
        onRetryRegistry={onRetryRegistry}
        inForce={inForce}
        problem={problem}
        viewedPrompt={viewed?.prompt}
      />
    </form>
  );
}
