/** The next round's engine controls, from the model registry: model, adapters, style. */
import type { AdapterChoice, AdapterSchedule, Registry } from "../api";
import {
  adaptersOfKind,
  effectiveAdapters,
  formatWeight,
  setAdapterWeight,
  strategyChoices,
  styleChoices,
  styleLabel,
  toggleAdapter,
  WEIGHT_MAX,
  WEIGHT_MIN,
  WEIGHT_STEP,
  type EngineInForce,
} from "../lib/engine";

/** Which model draws the next round; for CLIP fusion + LoRA, which CLIP adapter. */
export function ModelPicker({
  model,
  onModel,
  clipAdapterId,
  onClipAdapter,
  registry,
  inForce,
  problem,
}: {
  model: string;
  onModel: (model: string) => void;
  clipAdapterId: string;
  onClipAdapter: (id: string) => void;
  registry: Registry | undefined;
  inForce: EngineInForce;
  problem: string | null;
}) {
  const choices = strategyChoices(registry);
  const clipAdapters = adaptersOfKind(registry, "clip-lora");
  const current = clipAdapters.find((a) => a.id === inForce.clipAdapterId);
  return (
    <>
      <div className="field">
        <label htmlFor="refine-model">Model</label>
        <select id="refine-model" value={model} onChange={(e) => onModel(e.target.value)}>
          {choices.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
        <span className="field-hint">{choices.find((m) => m.id === model)?.hint}</span>
      </div>
      {model === "clip-lora" && (
        <div className={`field${problem ? " field-invalid" : ""}`}>
          <label htmlFor="refine-clip-adapter">CLIP LoRA adapter</label>
          <select
            id="refine-clip-adapter"
            value={clipAdapterId}
            onChange={(e) => onClipAdapter(e.target.value)}
            disabled={clipAdapters.length === 0}
            aria-describedby={problem ? "refine-clip-adapter-problem" : undefined}
          >
            <option value="">{current ? `Keep current (${current.name})` : clipAdapters.length ? "Choose an adapter…" : "None in the registry"}</option>
            {clipAdapters.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          {problem && (
            <span id="refine-clip-adapter-problem" className="field-error">
              {problem}
            </span>
          )}
        </div>
      )}
    </>
  );
}

/** UNet LoRA adapters from the registry: tick any, each with its weight; constant or ramped over the steps. */
export function LoraAdapterPicker({
  choice,
  onChoice,
  schedule,
  onSchedule,
  registry,
  inForce,
}: {
  choice: AdapterChoice[] | null;
  onChoice: (next: AdapterChoice[]) => void;
  schedule: "" | AdapterSchedule;
  onSchedule: (s: AdapterSchedule) => void;
  registry: Registry | undefined;
  inForce: EngineInForce;
}) {
  const adapters = adaptersOfKind(registry, "unet-lora");
  const chosen = effectiveAdapters(choice, inForce);
  const effectiveSchedule = schedule || inForce.schedule;
  if (!registry) return <p className="muted small">Reading the model registry…</p>;
  if (adapters.length === 0) {
    return <p className="muted small">No UNet LoRA adapters in the model registry yet. An admin can import one; then it can be mixed in here.</p>;
  }
  return (
    <div className="lora-picker">
      <ul className="lora-list" aria-label="UNet LoRA adapters">
        {adapters.map((a) => {
          const pick = chosen.find((c) => c.id === a.id);
          const sliderId = `lora-weight-${a.id}`;
          return (
            <li key={a.id} className={`lora-item${pick ? " is-on" : ""}`}>
              <label className="checkbox">
                <input type="checkbox" checked={!!pick} onChange={(e) => onChoice(toggleAdapter(choice, inForce, a.id, e.target.checked))} />
                {a.name}
              </label>
              {pick && (
                <div className="lora-weight">
                  <label htmlFor={sliderId} className="small">
                    Weight<span className="sr-only"> of {a.name}</span>
                  </label>
                  <input
                    id={sliderId}
                    type="range"
                    min={WEIGHT_MIN}
                    max={WEIGHT_MAX}
                    step={WEIGHT_STEP}
                    value={pick.weight}
                    onChange={(e) => onChoice(setAdapterWeight(choice, inForce, a.id, Number(e.target.value)))}
                  />
                  <output htmlFor={sliderId} className="mono small">
                    {formatWeight(pick.weight)}
                  </output>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      <div className="field">
        <span className="field-label" id="lora-schedule-label">
          Adapter weight over the steps
        </span>
        <div className="segmented-radio" role="radiogroup" aria-labelledby="lora-schedule-label">
          {(["constant", "ramp"] as const).map((s) => (
            <label key={s} className={`segmented-option${effectiveSchedule === s ? " is-on" : ""}`}>
              <input type="radio" name="lora-schedule" value={s} checked={effectiveSchedule === s} disabled={chosen.length === 0} onChange={() => onSchedule(s)} />
              {s === "constant" ? "Constant" : "Ramp"}
            </label>
          ))}
        </div>
        <span className="field-hint">Ramp lets the adapters in gradually: the first steps keep the composition, the last ones take the style.</span>
      </div>
    </div>
  );
}

/** The sketch style, and how far to blend from pencil toward it. */
export function StylePicker({
  style,
  onStyle,
  blend,
  onBlend,
  registry,
  inForce,
}: {
  style: string;
  onStyle: (style: string) => void;
  blend: string;
  onBlend: (blend: string) => void;
  registry: Registry | undefined;
  inForce: EngineInForce;
}) {
  const blendValue = blend.trim() === "" ? null : Number(blend);
  return (
    <div className="grid-2 style-row">
      <div className="field">
        <label htmlFor="refine-style">Sketch style</label>
        <select id="refine-style" value={style} onChange={(e) => onStyle(e.target.value)}>
          <option value="">{inForce.style ? `Keep current (${styleLabel(inForce.style)})` : "Keep current"}</option>
          {styleChoices(registry).map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="refine-style-blend">Style blend (0–1)</label>
        <div className="range-row">
          <input
            id="refine-style-blend"
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={blendValue ?? inForce.blend?.weight ?? 0}
            onChange={(e) => onBlend(e.target.value)}
          />
          <output htmlFor="refine-style-blend" className="mono small">
            {blendValue !== null ? blendValue.toFixed(2) : "keep"}
          </output>
        </div>
        <span className="field-hint">0 = pencil, 1 = all the chosen style.</span>
      </div>
    </div>
  );
}
