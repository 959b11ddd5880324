import { Link } from "react-router";
import type { Session } from "../../api";
import { Badge, PageHeader } from "../../components/ui";
import { roundsWording } from "../../lib/safeguards";
import { expiryLabel, type IssuedLink } from "../../lib/witnessLink";

/** The session's title, state, counts and the buttons that open the witness screen, links, comparison and help. */
export function SessionHeader({
  session,
  crumbs,
  witnessName,
  interviewUrl,
  openLink,
  now,
  compareCount,
  onLink,
  onCompare,
  onHelp,
}: {
  session: Session;
  crumbs: { label: string; to?: string }[];
  witnessName: string;
  interviewUrl: string;
  openLink: IssuedLink | undefined;
  now: number;
  compareCount: number;
  onLink: () => void;
  onCompare: () => void;
  onHelp: () => void;
}) {
  const approved = session.status === "approved";
  const roundsDone = session.rounds.filter((r) => r.status === "succeeded").length;
  return (
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
          {roundsWording(session.rounds.length, session.max_rounds)} · {roundsDone} drawn · <Link to={interviewUrl}>description &amp; interview</Link>
        </>
      }
      actions={
        <>
          <a className="btn" href={`/witness/${session.id}`} target="likeness-witness" rel="noopener">
            Open witness screen
          </a>
          {!approved && (
            <button type="button" className="btn" onClick={onLink} aria-haspopup="dialog">
              Witness link…
            </button>
          )}
          <button type="button" className="btn" onClick={onCompare} aria-label={`Compare (${compareCount} selected)`}>
            Compare <span className="count-pill">{compareCount}</span>
          </button>
          <button type="button" className="btn btn-quiet btn-icon" onClick={onHelp} aria-label="Keyboard shortcuts">
            ?
          </button>
        </>
      }
    />
  );
}

/** A short message over the page that goes by itself (see useRoundNotice). */
export function NoticeToast({ notice, onDismiss }: { notice: string | null; onDismiss: () => void }) {
  if (!notice) return null;
  return (
    <div className="toast" role="status">
      {notice}
      <button type="button" className="btn btn-quiet btn-small" onClick={onDismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
