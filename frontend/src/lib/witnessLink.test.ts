import { describe, expect, it, vi } from "vitest";
import { activeLink, addLink, expiryLabel, isExpired, LINK_MINUTES, linkState, linkTokenFrom, markRevoked, minutesLabel, minutesLeft, takeLinkToken, type IssuedLink } from "./witnessLink";

const TOKEN = "wGeq9CkJ901P-Nb9Av5uSiQZ40TSrg8vZqNLTy6TQ0I";

describe("witness link token", () => {
  it("reads the token from the fragment", () => {
    expect(linkTokenFrom(`#${TOKEN}`)).toBe(TOKEN);
    expect(linkTokenFrom(TOKEN)).toBe(TOKEN);
    expect(linkTokenFrom(`#${encodeURIComponent(TOKEN)}`)).toBe(TOKEN);
  });

  it("refuses what cannot be a token", () => {
    expect(linkTokenFrom("")).toBeNull();
    expect(linkTokenFrom("#")).toBeNull();
    expect(linkTokenFrom("#short")).toBeNull();
    expect(linkTokenFrom(`#${TOKEN}&x=1`)).toBeNull();
    expect(linkTokenFrom("#%E0%A4%A")).toBeNull(); // a broken escape
    expect(linkTokenFrom(`#${"a".repeat(201)}`)).toBeNull();
  });

  it("takes the token out of the address at once", () => {
    const replaceState = vi.fn();
    const history = { state: { idx: 0 }, replaceState };
    expect(takeLinkToken({ hash: `#${TOKEN}`, pathname: "/w" }, history)).toBe(TOKEN);
    expect(replaceState).toHaveBeenCalledWith({ idx: 0 }, "", "/w");
  });

  it("drops a fragment that is not a token too, and leaves a bare address alone", () => {
    const replaceState = vi.fn();
    expect(takeLinkToken({ hash: "#nonsense", pathname: "/w" }, { state: null, replaceState })).toBeNull();
    expect(replaceState).toHaveBeenCalledOnce();
    replaceState.mockClear();
    expect(takeLinkToken({ hash: "", pathname: "/w" }, { state: null, replaceState })).toBeNull();
    expect(replaceState).not.toHaveBeenCalled();
  });
});

describe("witness link expiry", () => {
  const now = Date.parse("2025-03-02T10:00:00Z");

  it("offers 15, 30, 60 and 120 minutes, in words", () => {
    expect([...LINK_MINUTES]).toEqual([15, 30, 60, 120]);
    expect(LINK_MINUTES.map(minutesLabel)).toEqual(["15 minutes", "30 minutes", "1 hour", "2 hours"]);
  });

  it("counts the minutes left to the nearest, never below zero", () => {
    expect(minutesLeft("2025-03-02T10:15:00Z", now)).toBe(15);
    // A clock read a few seconds before the link was made still says 15, not 16.
    expect(minutesLeft("2025-03-02T10:15:05Z", now)).toBe(15);
    expect(minutesLeft("2025-03-02T09:59:00Z", now)).toBe(0);
    expect(minutesLeft("not a date", now)).toBe(0);
  });

  it("says when it expires", () => {
    expect(expiryLabel("2025-03-02T10:15:00Z", now)).toMatch(/^Expires .+ \(in 15 min\)$/);
    expect(expiryLabel("2025-03-02T12:00:00Z", now)).toMatch(/\(in 2 h\)$/);
    expect(expiryLabel("2025-03-02T12:05:00Z", now)).toMatch(/\(in 2 h 5 min\)$/);
    expect(expiryLabel("2025-03-02T10:00:30Z", now)).toMatch(/\(in under a minute\)$/);
    expect(expiryLabel("2025-03-02T10:00:50Z", now + 20_000)).toMatch(/\(in under a minute\)$/);
    expect(expiryLabel("2025-03-02T09:00:00Z", now)).toMatch(/^Expired at /);
    expect(expiryLabel("garbage", now)).toBe("Expiry unknown");
    expect(isExpired("2025-03-02T10:00:00Z", now)).toBe(true);
    expect(isExpired("2025-03-02T10:00:01Z", now)).toBe(false);
  });
});

describe("links issued in this tab", () => {
  const now = Date.parse("2025-03-02T10:00:00Z");
  const a: IssuedLink = { id: "a", expires_at: "2025-03-02T10:30:00Z", created_at: "2025-03-02T09:30:00Z", revoked: false };
  const b: IssuedLink = { id: "b", expires_at: "2025-03-02T11:00:00Z", created_at: "2025-03-02T09:50:00Z", revoked: false };
  const old: IssuedLink = { id: "old", expires_at: "2025-03-02T09:45:00Z", created_at: "2025-03-02T09:30:00Z", revoked: false };

  it("knows which are active, expired or revoked", () => {
    expect(linkState(a, now)).toBe("active");
    expect(linkState(old, now)).toBe("expired");
    expect(linkState({ ...a, revoked: true }, now)).toBe("revoked");
  });

  it("lists the newest first and finds the newest usable one", () => {
    const links = addLink(addLink(addLink([], old), a), b);
    expect(links.map((l) => l.id)).toEqual(["b", "a", "old"]);
    expect(activeLink(links, now)?.id).toBe("b");
    const revoked = markRevoked(links, "b");
    expect(revoked.find((l) => l.id === "b")?.revoked).toBe(true);
    expect(activeLink(revoked, now)?.id).toBe("a");
    expect(activeLink(markRevoked(revoked, "a"), now)).toBeUndefined();
    // Adding a link again replaces it rather than listing it twice.
    expect(addLink(links, { ...a, revoked: true }).filter((l) => l.id === "a")).toHaveLength(1);
  });
});
