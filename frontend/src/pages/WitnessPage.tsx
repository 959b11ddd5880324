import { useEffect, useMemo, useRef, useState } from "react";
import { useParams } from "react-router";
import { api, ApiError, startNextRound, type Candidate } from "../api";
import { useAction, useDocumentTitle, useDraftState, useGridFit, useInterval, useResource } from "../hooks";
import { useJobProgress } from "../jobProgress";
import { useHealth } from "../health";
import { CandidateImage } from "../components/CandidateImage";
import { RatingInput } from "../components/RatingInput";
import { RegionPicker } from "../components/RegionPicker";
import { ErrorNotice, Loading } from "../components/ui";
import { progressLabel, progressPercent } from "../lib/progress";
import { latestRound, runningRound, sortedCandidates } from "../lib/roundTree";
import { keyToAction, moveIndex } from "../lib/shortcuts";

/** Plain words for the witness when sending fails; the choice on screen is kept. */
function witnessError(err: ApiError): string {
  if (err.status === -1) return err.message; // our own hint, e.g. "choose how close it is"
  if (err.status === 409) return "New faces are already being drawn. Please wait a moment.";
  if (err.status === 422 && /region|mask/i.test(err.message)) {
    return "The drawing could not focus on that part of this face. Choose “Whole face” and try again.";
  }
  return "That did not go through. Your choice is kept — please tell the artist.";
}

/** Plain words for the witness: no queues or workers. */
function witnessProgress(p: { status: string; step: number; total_steps: number }): string {
  if (p.status === "queued" || !p.total_steps) return "Getting ready…";
  const left = p.total_steps - p.step;
  return left <= Math.max(1, p.total_steps / 5) ? "Almost there…" : "This takes a few seconds.";
}

interface WitnessDraft {
  roundIndex: number | null;
  pickedId: string | null;
  rating: number | null;
  feedback: string;
  region: string;
}

const EMPTY: WitnessDraft = { roundIndex: null, pickedId: null, rating: null, feedback: "", region: "" };

/**
 * The screen turned toward the witness: only this session's newest faces, large,
 * with no case data and nobody else's composites. Pick, rate, say what to change.
 */
export function WitnessPage() {
  const { sessionId = "" } = useParams();
  useDocumentTitle("Witness view");
  const session = useResource((signal) => api.getSession(sessionId, signal), sessionId);
  const s = session.data;
  const { health } = useHealth();
  const running = s ? runningRound(s.rounds) : undefined;
  const progress = useJobProgress(running?.job_id ?? null, () => session.reload());
  useInterval(session.reload, running ? 2500 : 5000, s?.status !== "approved");

  // The newest round that has faces to show.
  const shownRound = useMemo(() => {
    if (!s) return undefined;
    const done = s.rounds.filter((r) => r.status === "succeeded" && r.candidates.length > 0);
    return done.reduce<(typeof done)[number] | undefined>((best, r) => (!best || r.index > best.index ? r : best), undefined);
  }, [s]);
  const candidates = shownRound ? sortedCandidates(shownRound) : [];
  const newest = s ? latestRound(s.rounds) : undefined;

  const [draft, setDraft, discard] = useDraftState<WitnessDraft>(`witness:${sessionId}`, EMPTY);
  // A new round means a fresh choice.
  useEffect(() => {
    if (shownRound && draft.roundIndex !== shownRound.index) setDraft({ ...EMPTY, roundIndex: shownRound.index });
  }, [shownRound, draft.roundIndex, setDraft]);

  // Record, once per candidate, that the witness was shown it.
  const reported = useRef(new Set<string>());
  useEffect(() => {
    if (!s) return;
    for (const c of candidates) {
      if (reported.current.has(c.id)) continue;
      reported.current.add(c.id);
      api.markShown(s.id, c.id).catch(() => reported.current.delete(c.id));
    }
  }, [s, candidates]);

  const [focused, setFocused] = useState(0);
  // Faces: 4px padding + 3px border each side.
  const [gridRef, fit] = useGridFit(candidates.length, { gap: 18, chromeX: 14, chromeY: 14, minSize: 160, maxSize: 900, bottomReserve: 28 });
  const pick = (c: Candidate) => setDraft((d) => ({ ...d, pickedId: c.id }));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = keyToAction(e);
      if (!action || !candidates.length) return;
      if (action.type === "move") {
        e.preventDefault();
        setFocused((f) => moveIndex(f, action.delta, candidates.length));
      } else if (action.type === "jump" && action.index < candidates.length) {
        setFocused(action.index);
      } else if (action.type === "pick") {
        const c = candidates[focused];
        if (c) {
          e.preventDefault();
          pick(c);
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const send = useAction(async () => {
    if (!s || !draft.pickedId) throw new ApiError(-1, "Tap the face that is closest first.");
    if (draft.rating === null) throw new ApiError(-1, "Choose how close it is, from 0 to 10.");
    const { session: updated } = await startNextRound(s.id, {
      candidate_id: draft.pickedId,
      rating: draft.rating,
      feedback: draft.feedback.trim(),
      region: draft.region || undefined,
    });
    discard();
    session.setData(updated);
    return updated;
  });

  const pickedPos = candidates.findIndex((c) => c.id === draft.pickedId);
  // A hint like "choose how close it is" goes once the witness does so.
  const clearSendError = send.clearError;
  useEffect(() => {
    clearSendError();
  }, [draft.pickedId, draft.rating, draft.region, clearSendError]);

  let body;
  if (!s) {
    body = session.error ? (
      <ErrorNotice error={session.error} title="This screen could not load" onRetry={session.reload} />
    ) : (
      <Loading what="the faces" />
    );
  } else if (s.status === "approved") {
    body = (
      <div className="witness-message">
        <h1>Thank you</h1>
        <p>The artist has what they need. You can look away from the screen now.</p>
      </div>
    );
  } else if (running && (!shownRound || running.index > shownRound.index)) {
    const p = progress ?? { status: running.status, step: running.step ?? 0, total_steps: running.total_steps ?? 0, error: null };
    body = (
      <div className="witness-message" aria-live="polite">
        <h1>Drawing new faces…</h1>
        <p>{witnessProgress(p)}</p>
        <div
          className={`progress progress-large${p.status === "queued" || !p.total_steps ? " progress-indeterminate" : ""}`}
          role="progressbar"
          aria-label="Drawing progress"
          aria-valuemin={0}
          aria-valuemax={p.total_steps || 100}
          aria-valuenow={p.total_steps ? p.step : undefined}
          aria-valuetext={progressLabel(p)}
        >
          <div className="progress-fill" style={{ width: `${progressPercent(p)}%` }} />
        </div>
        <p className="muted">Take your time. Think about the face you saw.</p>
      </div>
    );
  } else if (!shownRound) {
    body = (
      <div className="witness-message">
        <h1>Waiting for the first faces</h1>
        <p className="muted">{newest?.status === "failed" ? "Something went wrong drawing them. The artist will start again." : "The artist will start in a moment."}</p>
      </div>
    );
  } else {
    body = (
      <div className="witness-layout">
        <section className="witness-faces" aria-labelledby="witness-q">
          <h1 id="witness-q" className="witness-question">
            Which face is closest to the person you saw?
          </h1>
          <div
            ref={gridRef}
            className={`witness-grid witness-grid-${Math.min(candidates.length, 8)}`}
            style={fit ? { gridTemplateColumns: `repeat(${fit.columns}, ${fit.size + 14}px)`, justifyContent: "center", maxWidth: "none" } : undefined}
            role="listbox"
            aria-label="Faces"
          >
            {candidates.map((c, i) => (
              <div
                key={c.id}
                role="option"
                aria-selected={draft.pickedId === c.id}
                aria-label={`Face ${i + 1}${draft.pickedId === c.id ? ", chosen" : ""}`}
                tabIndex={i === focused ? 0 : -1}
                className={`witness-face${draft.pickedId === c.id ? " is-picked" : ""}${i === focused ? " is-focused" : ""}`}
                onClick={() => {
                  setFocused(i);
                  pick(c);
                }}
                onFocus={() => setFocused(i)}
              >
                <CandidateImage src={c.image_url} alt={`Face ${i + 1}`} />
                <span className="witness-face-num">{i + 1}</span>
              </div>
            ))}
          </div>
        </section>
        <form
          className="witness-panel"
          onSubmit={(e) => {
            e.preventDefault();
            void send.run();
          }}
          aria-label="Your choice"
        >
          <p className="witness-step">{pickedPos >= 0 ? `You chose face ${pickedPos + 1}.` : "Tap a face to choose it."}</p>
          <RatingInput value={draft.rating} onChange={(rating) => setDraft((d) => ({ ...d, rating }))} label="How close is it?" large />
          <div className="field">
            <label htmlFor="witness-feedback">What should be different?</label>
            <textarea
              id="witness-feedback"
              rows={4}
              value={draft.feedback}
              placeholder="For example: the nose was wider, the hair shorter"
              onChange={(e) => setDraft((d) => ({ ...d, feedback: e.target.value }))}
            />
          </div>
          <div className="field">
            <span className="field-label">Which part is most wrong?</span>
            <RegionPicker value={draft.region} onChange={(region) => setDraft((d) => ({ ...d, region }))} large />
          </div>
          {send.error && (
            <p className="witness-error" role="alert">
              {witnessError(send.error)}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block btn-large" disabled={send.pending || !!running}>
            {send.pending ? "Sending…" : running ? "Please wait…" : "Show me new faces"}
          </button>
        </form>
      </div>
    );
  }

  return (
    <div className="witness-screen">
      {health?.model?.random_weights && (
        <div className="banner banner-demo banner-slim" role="status">
          <strong>Demo model: random weights — images are noise, not sketches</strong>
        </div>
      )}
      <main className="witness-main">{body}</main>
    </div>
  );
}
