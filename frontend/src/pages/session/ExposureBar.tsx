import type { Session } from "../../api";
import { exposureState } from "../../lib/safeguards";

/**
 * One line over the workspace: how many faces this witness has been shown
 * against the cap (the server counts them), the warning from 75% of the cap,
 * and the "witness is looking at this screen" switch.
 */
export function ExposureBar({
  session,
  witnessViewing,
  onWitnessViewing,
}: {
  session: Session;
  witnessViewing: boolean;
  onWitnessViewing: (on: boolean) => void;
}) {
  const state = exposureState(session.exposures, session.exposure_cap);
  const approved = session.status === "approved";
  return (
    <div className={`exposure-bar exposure-bar-${state?.tone ?? "neutral"}`} data-testid="exposure-bar">
      {state && (
        <span className="exposure-count" title="Distinct composite faces this witness has been shown, over all their sessions (LIKENESS_EXPOSURE_CAP)">
          Faces shown to this witness: <strong>{state.count}</strong> of {state.cap}
          <span className="exposure-meter" aria-hidden="true">
            <span style={{ width: `${Math.round(state.fraction * 100)}%` }} />
          </span>
        </span>
      )}
      {session.warning && (
        <span className="exposure-warning" role="status">
          Exposure warning: {session.warning}
        </span>
      )}
      {!approved && (
        <label className="switch" title="While on, every face on this screen is recorded as shown to the witness">
          <input type="checkbox" role="switch" checked={witnessViewing} onChange={(e) => onWitnessViewing(e.target.checked)} />
          <span>Witness is looking at this screen</span>
        </label>
      )}
    </div>
  );
}
