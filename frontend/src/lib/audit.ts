/** Helpers for showing the audit trail as a timeline. */
import type { AuditEvent } from "../api";

/** Events grouped by local calendar day (YYYY-MM-DD), oldest day first, order kept. */
export function groupByDay(events: AuditEvent[]): [string, AuditEvent[]][] {
  const groups = new Map<string, AuditEvent[]>();
  for (const e of events) {
    const d = new Date(e.at);
    const day = Number.isNaN(d.getTime())
      ? e.at.slice(0, 10)
      : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
    const list = groups.get(day) ?? [];
    list.push(e);
    groups.set(day, list);
  }
  return [...groups.entries()];
}

export function outcomeTone(outcome: string | null | undefined): "success" | "danger" | "warning" | "neutral" {
  const o = (outcome ?? "").toLowerCase();
  if (["ok", "success", "succeeded", "allowed", "approved"].includes(o)) return "success";
  if (["failed", "failure", "error", "denied", "forbidden", "rejected", "refused", "broken"].includes(o)) return "danger";
  if (["cancelled", "canceled", "warning", "partial"].includes(o)) return "warning";
  return "neutral";
}

/** "candidate.shown" → "Candidate shown"; "session_created" → "Session created". */
export function describeAction(action: string): string {
  const words = action.replace(/[._:]+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : action;
}

/**
 * A thumbnail for events about a picture. Candidate events name the candidate
 * (entity_id, or details.candidate_id); `images` maps candidate ids to their
 * image URLs, gathered from the case's sessions. An explicit details.image_url
 * is used as it is.
 */
export function auditThumbnail(e: AuditEvent, images: Map<string, string>): string | null {
  const d = e.details ?? {};
  const url = d["image_url"];
  if (typeof url === "string" && url.startsWith("/api/images/")) return url;
  if (e.entity_type === "candidate" && e.entity_id && images.has(e.entity_id)) return images.get(e.entity_id)!;
  const candidateId = d["candidate_id"];
  if (typeof candidateId === "string" && images.has(candidateId)) return images.get(candidateId)!;
  return null;
}
