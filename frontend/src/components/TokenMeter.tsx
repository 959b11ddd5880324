import { meterModel } from "../lib/tokenMeter";

/** The prompt's length against CLIP's 77-token window; longer prompts are chunked, not cut. */
export function TokenMeter({ count, window = 77, estimated, pending }: { count: number; window?: number; estimated?: boolean; pending?: boolean }) {
  const m = meterModel(count, window);
  const firstBoundary = m.boundaries[0]?.percent ?? 100;
  return (
    <div className={`token-meter token-${m.state}${pending ? " token-pending" : ""}`} data-testid="token-meter">
      <div className="token-meter-head">
        <span className="token-meter-label">
          {estimated && <span title="Estimated locally while the server preview is unavailable">≈ </span>}
          <strong>{m.count}</strong> tokens
          <span className="muted"> · {m.perChunk} fit one {m.window}-token window</span>
        </span>
        {m.chunks > 1 && <span className="badge badge-warning">{m.chunks} chunks</span>}
      </div>
      <div
        className="token-bar"
        role="meter"
        aria-label="Prompt tokens"
        aria-valuemin={0}
        aria-valuemax={m.scaleMax}
        aria-valuenow={m.count}
        aria-valuetext={`${m.count} tokens; ${m.hint}`}
      >
        <div className="token-fill" style={{ width: `${Math.min(m.fillPercent, firstBoundary)}%` }} />
        {m.fillPercent > firstBoundary && (
          <div className="token-fill token-fill-over" style={{ left: `${firstBoundary}%`, width: `${m.fillPercent - firstBoundary}%` }} />
        )}
        {m.boundaries.map((b, i) => (
          <div
            key={b.tokens}
            className={`token-boundary${i === 0 ? " token-boundary-first" : ""}`}
            style={{ left: `${b.percent}%` }}
            title={i === 0 ? `${m.window}-token window (${m.perChunk} prompt tokens + start/end)` : `chunk ${i + 1} ends at ${b.tokens}`}
          >
            {i === 0 && m.chunks > 1 && <span className="token-boundary-label">77</span>}
          </div>
        ))}
      </div>
      <p className="token-hint small">{m.hint}</p>
    </div>
  );
}
