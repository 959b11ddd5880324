import type { ReactNode } from "react";
import { progressLabel, progressPercent, type ProgressLike } from "../lib/progress";
import { witnessProgressText } from "../lib/witnessView";

/** A large, calm sentence for the witness in place of the faces. */
export function WitnessMessage({ title, children, live, alert }: { title: string; children?: ReactNode; live?: boolean; alert?: boolean }) {
  return (
    <div className="witness-message" aria-live={live ? "polite" : undefined} role={alert ? "alert" : undefined}>
      <h1>{title}</h1>
      {children}
    </div>
  );
}

/** New faces are being drawn: a big bar and plain words, no queues or workers. */
export function WitnessDrawing({ progress }: { progress: ProgressLike }) {
  const indeterminate = progress.status === "queued" || !progress.total_steps;
  return (
    <WitnessMessage title="Drawing new faces…" live>
      <p>{witnessProgressText(progress)}</p>
      <div
        className={`progress progress-large${indeterminate ? " progress-indeterminate" : ""}`}
        role="progressbar"
        aria-label="Drawing progress"
        aria-valuemin={0}
        aria-valuemax={progress.total_steps || 100}
        aria-valuenow={progress.total_steps ? progress.step : undefined}
        aria-valuetext={progressLabel(progress)}
      >
        <div className="progress-fill" style={{ width: `${progressPercent(progress)}%` }} />
      </div>
      <p className="muted">Take your time. Think about the face you saw.</p>
    </WitnessMessage>
  );
}

export function WitnessThanks() {
  return (
    <WitnessMessage title="Thank you">
      <p>The artist has what they need. You can look away from the screen now.</p>
    </WitnessMessage>
  );
}

export function WitnessWaiting({ failed }: { failed: boolean }) {
  return (
    <WitnessMessage title="Waiting for the first faces">
      <p className="muted">{failed ? "Something went wrong drawing them. The artist will start again." : "The artist will start in a moment."}</p>
    </WitnessMessage>
  );
}
