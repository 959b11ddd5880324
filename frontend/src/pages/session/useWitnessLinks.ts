import { useState } from "react";
import type { WitnessLink } from "../../api";
import { useDraftState, useNow } from "../../hooks";
import { activeLink, addLink, markRevoked, type IssuedLink } from "../../lib/witnessLink";

/** The witness links issued for this session on this browser, and the one still open. */
export function useWitnessLinks(sessionId: string) {
  const now = useNow(15_000);
  const [links, setLinks] = useDraftState<IssuedLink[]>(`witness-links:${sessionId}`, []);
  // The addresses stay in memory only: the token in them opens the witness view.
  const [urls, setUrls] = useState<ReadonlyMap<string, string>>(() => new Map());
  const created = (link: WitnessLink) => {
    setLinks((ls) => addLink(ls, { id: link.id, expires_at: link.expires_at, created_at: new Date().toISOString(), revoked: false }));
    setUrls((m) => new Map(m).set(link.id, link.url));
  };
  const revoked = (id: string) => setLinks((ls) => markRevoked(ls, id));
  return { now, links, urls, open: activeLink(links, now), created, revoked };
}
