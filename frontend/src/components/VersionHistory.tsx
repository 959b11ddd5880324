import type { Description } from "../api";
import { Badge } from "./ui";
import { DescriptionDiff } from "./DiffView";
import { formatDateTime } from "../lib/format";

/** Every version of a witness's description, newest first, each with its diff from the one before. */
export function VersionHistory({ versions }: { versions: Description[] }) {
  return (
    <section className="panel" aria-labelledby="versions-title">
      <h2 id="versions-title" className="panel-title">
        Version history
      </h2>
      <ol className="versions">
        {[...versions].reverse().map((v) => {
          const prev = versions.find((p) => p.version === v.version - 1);
          return (
            <li key={v.id} className="version">
              <div className="version-head">
                <strong>v{v.version}</strong>
                {v.version === 1 && <Badge>first, verbatim</Badge>}
                <span className="muted small">{formatDateTime(v.created_at)}</span>
                <span className="muted small">· {v.token_count} tokens</span>
              </div>
              {prev ? <DescriptionDiff before={prev} after={v} /> : <p className="version-text">{v.text}</p>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
