import { useEffect, useRef, useState } from "react";
import { api, type WitnessLink } from "../api";
import { useAction, useNow } from "../hooks";
import { expiryLabel, LINK_MINUTES, linkState, minutesLabel, type IssuedLink, type LinkMinutes } from "../lib/witnessLink";
import { QrCode } from "./QrCode";
import { Badge, Dialog, ErrorNotice } from "./ui";

/**
 * Creates, shows and revokes time-limited witness links for one session. A link
 * opens the witness screen on another device, once; its address is shown only
 * here and kept in memory (never in storage), so after a reload it can still be
 * revoked but no longer copied.
 */
export function WitnessLinkDialog({
  sessionId,
  links,
  urls,
  onCreated,
  onRevoked,
  onClose,
}: {
  sessionId: string;
  links: IssuedLink[];
  urls: ReadonlyMap<string, string>;
  onCreated: (link: WitnessLink) => void;
  onRevoked: (id: string) => void;
  onClose: () => void;
}) {
  const [minutes, setMinutes] = useState<LinkMinutes>(30);
  const now = useNow(10_000);
  // The link just made gets the focus (its address selected, ready to copy).
  const [fresh, setFresh] = useState<string | null>(null);
  const create = useAction(async () => {
    const link = await api.createWitnessLink(sessionId, minutes);
    onCreated(link);
    setFresh(link.id);
    return link;
  });
  // `now` ticks every 10 s; a link that expired since is shown as expired at once.
  // eslint-disable-next-line react-hooks/purity -- reading the clock is the point here
  const latest = Math.max(now, Date.now());
  return (
    <Dialog title="Witness link for another device" onClose={onClose}>
      <div className="stack witness-link-dialog">
        <p className="muted">
          Opens the witness screen on a tablet or phone the witness holds: only this session’s faces, large, with nothing about the case. The link
          works <strong>once</strong> — the first device to open it keeps the screen until the link expires or you revoke it.
        </p>
        <form
          className="witness-link-create"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <div className="field">
            <label htmlFor="witness-link-minutes">Link valid for</label>
            <select id="witness-link-minutes" value={minutes} onChange={(e) => setMinutes(Number(e.target.value) as LinkMinutes)}>
              {LINK_MINUTES.map((m) => (
                <option key={m} value={m}>
                  {minutesLabel(m)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-primary" disabled={create.pending}>
            {create.pending ? "Creating…" : "Create link"}
          </button>
        </form>
        <ErrorNotice error={create.error} title="No link was created" onDismiss={create.clearError} compact />
        {links.length > 0 && (
          <ul className="witness-link-list" aria-label="Witness links">
            {links.map((link) => (
              <IssuedLinkRow key={link.id} sessionId={sessionId} link={link} url={urls.get(link.id)} now={latest} fresh={link.id === fresh} onRevoked={onRevoked} />
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}

function IssuedLinkRow({
  sessionId,
  link,
  url,
  now,
  fresh,
  onRevoked,
}: {
  sessionId: string;
  link: IssuedLink;
  url: string | undefined;
  now: number;
  fresh: boolean;
  onRevoked: (id: string) => void;
}) {
  const state = linkState(link, now);
  const input = useRef<HTMLInputElement>(null);
  const row = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (fresh) input.current?.focus();
  }, [fresh]);
  const [copied, setCopied] = useState<"copied" | "select" | null>(null);
  const revoke = useAction(async () => {
    await api.revokeWitnessLink(sessionId, link.id);
    onRevoked(link.id);
    // The revoke button goes away: keep the focus in the dialog (Escape still closes it).
    row.current?.focus();
  });
  const copy = async () => {
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      setCopied("copied");
    } catch {
      // No clipboard access (an insecure origin, or refused): select it for Ctrl+C.
      input.current?.select();
      setCopied("select");
    }
  };
  const inputId = `witness-link-url-${link.id}`;
  return (
    <li ref={row} tabIndex={-1} className={`witness-link witness-link-${state}`}>
      <div className="witness-link-head">
        {state === "active" ? <Badge tone="success">Active</Badge> : state === "revoked" ? <Badge tone="danger">Revoked</Badge> : <Badge>Expired</Badge>}
        <span className="small" data-testid="witness-link-expiry">
          {state === "revoked" ? "Revoked — it no longer opens anything." : expiryLabel(link.expires_at, now)}
        </span>
      </div>
      {state === "active" &&
        (url ? (
          <div className="field">
            <label htmlFor={inputId}>Witness link</label>
            <div className="copy-row">
              <input id={inputId} ref={input} type="text" className="mono" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
              <button type="button" className="btn" onClick={() => void copy()}>
                Copy link
              </button>
            </div>
            <span className="field-hint" role="status">
              {copied === "copied" ? "Copied. Send it to the witness’s device." : copied === "select" ? "Selected — press Ctrl+C (⌘C) to copy." : "Send it to the witness’s device, or type it there."}
            </span>
            <div className="witness-link-qr">
              <QrCode text={url} label="Witness link as a QR code" />
              <span className="field-hint">Or scan this with the witness’s phone or tablet camera.</span>
            </div>
          </div>
        ) : (
          <p className="muted small">The address is not kept after a reload. Revoke this link and create a new one if it has not reached the witness.</p>
        ))}
      <ErrorNotice error={revoke.error} title="The link was not revoked" onDismiss={revoke.clearError} compact />
      {state === "active" && (
        <div className="form-actions">
          <button type="button" className="btn btn-danger-quiet" onClick={() => void revoke.run()} disabled={revoke.pending}>
            {revoke.pending ? "Revoking…" : "Revoke link"}
          </button>
        </div>
      )}
    </li>
  );
}
