/**
 * Small, pure helpers for the forensic safeguards on screen (docs/safeguards.md):
 * the composite notice, labelled downloads, exposure recording, export purposes,
 * and the wording and overlays of the artist's screen.
 */
import type { ApiError, ExportPurpose, Round, UploadMatch } from "../api";

/** What the screens show beside every composite (the server's LIKENESS_COMPOSITE_NOTICE default). */
export const COMPOSITE_NOTICE = "Composite — not a photograph";

/** The labelled copy of a stored image: caption band and `likeness:notice` chunk, added by the server. */
export function downloadUrl(imageUrl: string): string {
  const [path] = imageUrl.split("?");
  return `${path}/download`;
}

/** The image URL on the artist's screen: with the witness looking, fetching it records the face as shown. */
export function screenImageUrl(imageUrl: string, witnessViewing: boolean): string {
  if (!witnessViewing) return imageUrl;
  return `${imageUrl}${imageUrl.includes("?") ? "&" : "?"}witness_viewing=1`;
}

export const EXPORT_PURPOSES: { id: ExportPurpose; label: string }[] = [
  { id: "disclosure", label: "Disclosure (defence / court)" },
  { id: "public-appeal", label: "Public appeal" },
  { id: "internal-review", label: "Internal review" },
  { id: "face-recognition", label: "Face-recognition search" },
];

/**
 * The export purposes with the one the case does not allow switched off and saying why:
 * face-recognition search only once an admin allowed it (`undefined`: this screen does not know).
 */
export function exportPurposes(faceRecognition: boolean | undefined): { id: ExportPurpose; label: string; disabled: boolean }[] {
  return EXPORT_PURPOSES.map((p) => {
    if (p.id !== "face-recognition" || faceRecognition) return { ...p, disabled: false };
    const why = faceRecognition === false ? "an admin has not allowed it for this case" : "from the case page";
    return { ...p, label: `${p.label} (${why})`, disabled: true };
  });
}

/** "R1·2": the candidate an upload matches, as the session screen labels it. */
export function matchLabel(match: UploadMatch): string {
  return `R${match.round_index}·${match.candidate_index + 1}`;
}

/** Where the matched face was drawn, in words; names only what the server let this user see. */
export function matchWording(match: UploadMatch, caseId: string): string {
  const witness = match.witness_name ? `witness ${match.witness_name}` : `witness ${match.witness_id.slice(0, 8)}`;
  const where = match.case_id === caseId ? "this case" : match.case_reference ? `case ${match.case_reference}` : "another case";
  const bits = match.hash_distance === 0 ? "the same picture" : `${match.hash_distance} of 64 hash bits differ`;
  return `Matches ${matchLabel(match)} drawn for ${witness} (${where}; ${bits}).`;
}

/** Why an unreleased matching upload is refused: for any witness but the one whose face it is. */
export function releaseNeeded(match: UploadMatch, caseId: string): string {
  const own = match.case_id === caseId && match.witness_name ? ` for any witness other than ${match.witness_name}` : "";
  return `An admin must release this upload before it can be used${own}.`;
}

/** "3 of 5 planned rounds", and past the plan "6 rounds (5 planned)", never "6 of 5". */
export function roundsWording(count: number, planned: number): string {
  if (count > planned) return `${count} rounds (${planned} planned)`;
  return `${count} of ${planned} planned ${planned === 1 ? "round" : "rounds"}`;
}

/** The cap's 409 ("exposure cap: …"): the refine panel then asks for a reason. */
export function isExposureCapError(error: ApiError | null | undefined): boolean {
  return !!error && error.status === 409 && /exposure cap/i.test(error.message);
}

/** A cross-witness reference refused with 409 (the message names the witness and round). */
export function isCrossWitnessError(error: ApiError | null | undefined): boolean {
  return !!error && error.status === 409 && /witness/i.test(error.message) && !isExposureCapError(error);
}

export interface ExposureState {
  count: number;
  cap: number;
  /** 0–1 of the cap, clamped. */
  fraction: number;
  tone: "neutral" | "warning" | "danger";
}

/** The witness's exposure against the cap: a warning from 75%, danger at the cap. */
export function exposureState(count: number | undefined, cap: number | undefined): ExposureState | null {
  if (typeof count !== "number" || !cap) return null;
  const fraction = Math.min(1, count / cap);
  const tone = count >= cap ? "danger" : count >= 0.75 * cap ? "warning" : "neutral";
  return { count, cap, fraction, tone };
}

/** What a round changed: its facial region or a painted mask, in words; null for the whole face. */
export function roundMaskLabel(round: Pick<Round, "settings" | "region">): string | null {
  const s = round.settings ?? {};
  const region = (typeof s.region === "string" && s.region) || round.region || null;
  if (region) return `region: ${region}`;
  if (typeof s.mask_sha256 === "string" && s.mask_sha256) return "painted mask";
  return null;
}

/**
 * Where a region sits on a front-facing composite, as fractions of the picture
 * (left, top, width, height). The server finds the real area on the face when it
 * draws; this is the preview over the pick before drawing.
 */
/** The server's tint of `region` as found on the picture at `imageUrl` (422 when it finds no face). */
export function regionOverlayUrl(imageUrl: string, region: string): string {
  return `${imageUrl}/regions/${encodeURIComponent(region)}`;
}

export const REGION_BOXES: Record<string, [number, number, number, number][]> = {
  eyes: [[0.27, 0.38, 0.46, 0.12]],
  eyebrows: [[0.25, 0.31, 0.5, 0.09]],
  nose: [[0.4, 0.42, 0.2, 0.22]],
  mouth: [[0.33, 0.63, 0.34, 0.12]],
  jaw: [[0.22, 0.6, 0.56, 0.3]],
  hair: [[0.15, 0.02, 0.7, 0.28]],
  ears: [
    [0.1, 0.36, 0.13, 0.26],
    [0.77, 0.36, 0.13, 0.26],
  ],
};
