import type { AdapterChoice, AdapterSchedule, ModelId, Region, RoundCreate, SketchStyle } from "../../api";
import { useDraftState } from "../../hooks";
import { sameAdapters, type EngineInForce } from "../../lib/engine";
import type { Working, WorkingEdits } from "../../lib/working";
import { workingInput, type Offered } from "./useWorkingEdits";

/** What the artist is preparing for the next round; kept per session across reloads. */
export interface RefineDraft {
  pickedId: string | null;
  rating: number | null;
  feedback: string;
  region: "" | Region;
  model: string;
  /** Model 3's CLIP LoRA adapter ("" = keep the one in force). */
  clipAdapterId: string;
  /** UNet LoRA adapters with weights (null = keep what is in force). */
  adapters: AdapterChoice[] | null;
  adapterSchedule: "" | AdapterSchedule;
  strength: string;
  steps: string;
  guidance: string;
  editPrompt: boolean;
  prompt: string;
  style: string;
  styleBlend: string;
  fusionWeight: string;
  /** The artist's edits to the working description (null: none yet). */
  working: WorkingEdits | null;
  /** The suggester's answer for the feedback typed. */
  offered: Offered | null;
}

export const EMPTY_REFINE: RefineDraft = {
  pickedId: null,
  rating: null,
  feedback: "",
  region: "",
  model: "img2img",
  clipAdapterId: "",
  adapters: null,
  adapterSchedule: "",
  strength: "",
  steps: "",
  guidance: "",
  editPrompt: false,
  prompt: "",
  style: "",
  styleBlend: "",
  fusionWeight: "",
  working: null,
  offered: null,
};

/** A number typed by a person ("0,3" too); blank or not a number: not sent. */
export function num(value: string): number | undefined {
  const n = Number(value.trim().replace(",", "."));
  return value.trim() && Number.isFinite(n) ? n : undefined;
}

/** The next round's body from the draft. Engine choices equal to those in force are not sent again. */
export function roundInput(
  refine: RefineDraft,
  candidateId: string,
  rating: number,
  inForce: EngineInForce,
  maskUploadId?: string,
  current?: Working | null,
): RoundCreate {
  return {
    // The feedback goes verbatim (evidence); the drawing comes from the working description.
    ...workingInput(refine, current),
    candidate_id: candidateId,
    rating,
    feedback: refine.feedback.trim(),
    model: refine.model as ModelId,
    clip_adapter_id: refine.model === "clip-lora" && refine.clipAdapterId ? refine.clipAdapterId : undefined,
    // null = keep the adapters in force; an unchanged choice is not sent again.
    adapters: refine.adapters && !sameAdapters(refine.adapters, inForce.adapters) ? refine.adapters : undefined,
    adapter_schedule: refine.adapterSchedule && refine.adapterSchedule !== inForce.schedule ? refine.adapterSchedule : undefined,
    // A region or a painted mask, never both.
    region: maskUploadId ? undefined : refine.region || undefined,
    mask_upload_id: maskUploadId,
    strength: num(refine.strength),
    steps: num(refine.steps),
    guidance: num(refine.guidance),
    // The style select lists the registry's styles only.
    style: (refine.style || undefined) as SketchStyle | undefined,
    style_blend: num(refine.styleBlend),
    fusion_weight: refine.model === "img2img" ? undefined : num(refine.fusionWeight),
    prompt: refine.editPrompt && refine.prompt.trim() ? refine.prompt.trim() : undefined,
  };
}

/** After a round starts: the model settings stay; the pick, rating and words belonged to that round. */
export function keepSettings(r: RefineDraft): RefineDraft {
  return {
    ...EMPTY_REFINE,
    model: r.model,
    clipAdapterId: r.clipAdapterId,
    adapters: r.adapters,
    adapterSchedule: r.adapterSchedule,
    strength: r.strength,
    steps: r.steps,
    guidance: r.guidance,
    style: r.style,
    styleBlend: r.styleBlend,
    fusionWeight: r.fusionWeight,
  };
}

/** The refine draft of one session, saved as it is typed. */
export function useRefineDraft(sessionId: string) {
  const [stored, setRefine, discardRefine] = useDraftState<RefineDraft>(`refine:${sessionId}`, EMPTY_REFINE);
  // A draft saved before a field existed gets that field's default.
  const refine: RefineDraft = { ...EMPTY_REFINE, ...stored };
  return { refine, setRefine, discardRefine };
}
