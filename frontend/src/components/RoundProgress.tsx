import type { JobProgress, Round } from "../api";
import { progressLabel, progressPercent } from "../lib/progress";
import { StepPreview } from "./StepPreview";

/** A running round: step counter, bar, cancel, and the newest step's preview while it draws. */
export function RoundProgress({ round, progress, onCancel, cancelling }: { round: Round; progress: JobProgress | null; onCancel?: () => void; cancelling?: boolean }) {
  const p = progress ?? { status: round.status, step: round.step ?? 0, total_steps: round.total_steps ?? 0, error: round.error };
  const pct = progressPercent(p);
  return (
    <div className="round-progress" data-testid="round-progress">
      <div className="round-progress-head">
        <span className="round-progress-label" aria-live="polite">
          Round {round.index}: {progressLabel(p)}
        </span>
        {onCancel && (
          <button type="button" className="btn btn-small" onClick={onCancel} disabled={cancelling}>
            {cancelling ? "Cancelling…" : "Cancel round"}
          </button>
        )}
      </div>
      <div
        className={`progress${p.status === "queued" ? " progress-indeterminate" : ""}`}
        role="progressbar"
        aria-label={`Round ${round.index} progress`}
        aria-valuemin={0}
        aria-valuemax={p.total_steps || 100}
        aria-valuenow={p.total_steps ? p.step : undefined}
        aria-valuetext={progressLabel(p)}
      >
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <StepPreview progress={progress} />
    </div>
  );
}
