import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import type { Round } from "../api";
import { EMPTY_EVOLVE, isFull, togglePick, type EvolveDraft } from "../lib/evolve";
import { EvolveArray } from "./EvolveArray";
import { EvolveControls } from "./EvolveControls";
import { Lineage } from "./Lineage";

const faces = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `f${i + 1}`, index: i, image_url: `/img/${i + 1}` }));

function Harness({ count = 9, phase = false, onSend = () => {} }: { count?: number; phase?: boolean; onSend?: (d: EvolveDraft) => void }) {
  const [draft, setDraft] = useState<EvolveDraft>(EMPTY_EVOLVE);
  const list = faces(count);
  return (
    <>
      <EvolveArray faces={list} picks={draft.picks} full={isFull(draft)} onToggle={(f) => setDraft((d) => togglePick(d, f.id))} />
      <EvolveControls
        draft={draft}
        setDraft={setDraft}
        numberOf={(id) => list.findIndex((f) => f.id === id) + 1 || null}
        imageOf={() => null}
        onSend={() => onSend(draft)}
        sending={false}
        busy={false}
        error={null}
        phase={phase}
      />
    </>
  );
}

const options = () => within(screen.getByRole("listbox", { name: "Faces" })).getAllByRole("option");

// Many renders per test: room for a loaded machine.
describe("<EvolveArray> with <EvolveControls>", { timeout: 20_000 }, () => {
  it("picks up to three by tap, each rated, and sends them", () => {
    const onSend = vi.fn();
    render(<Harness onSend={onSend} />);
    expect(options()).toHaveLength(9);
    expect(screen.getByTestId("composite-notice").textContent).toContain("Composite — not a photograph");
    for (const i of [2, 0, 6, 8]) fireEvent.click(options()[i]!);
    expect(options().map((o) => o.getAttribute("aria-selected"))).toEqual(["true", "false", "true", "false", "false", "false", "true", "false", "false"]);
    expect(options()[8]!.getAttribute("aria-disabled")).toBe("true");
    expect(screen.getByText("You picked 3 of up to 3.")).toBeTruthy();
    const rating = screen.getByRole("radiogroup", { name: "Face 3: how close?" });
    fireEvent.click(within(rating).getByRole("radio", { name: "Rating 8 of 10" }));
    fireEvent.click(screen.getByRole("button", { name: "Show me new faces" }));
    expect(onSend.mock.calls[0]![0].picks).toEqual([
      { id: "f3", rating: 8 },
      { id: "f1", rating: null },
      { id: "f7", rating: null },
    ]);
  });

  it("keys: a digit picks on this page, arrows and space pick the focused face", () => {
    render(<Harness />);
    fireEvent.keyDown(window, { key: "5" });
    fireEvent.keyDown(window, { key: "ArrowDown" });
    fireEvent.keyDown(window, { key: " " });
    expect(options()[4]!.getAttribute("aria-selected")).toBe("true");
    expect(options()[7]!.getAttribute("aria-selected")).toBe("true");
    fireEvent.keyDown(window, { key: "5" });
    expect(options()[4]!.getAttribute("aria-selected")).toBe("false");
  });

  it("shows 18 faces on two pages of nine", () => {
    render(<Harness count={18} />);
    expect(options()).toHaveLength(9);
    fireEvent.click(screen.getByRole("button", { name: "Faces 10–18" }));
    expect(options()).toHaveLength(9);
    expect(screen.getByRole("img", { name: "Face 18" })).toBeTruthy();
  });

  it("records as shown only the faces of the page in view, once each", () => {
    const onShown = vi.fn(() => Promise.resolve());
    render(<EvolveArray faces={faces(18)} picks={[]} full={false} onToggle={() => {}} onShown={onShown} />);
    expect(onShown.mock.calls.map((c) => (c as unknown as [string])[0])).toEqual(faces(9).map((f) => f.id));
    fireEvent.click(screen.getByRole("button", { name: "Faces 10–18" }));
    fireEvent.click(screen.getByRole("button", { name: "Faces 1–9" }));
    expect(onShown).toHaveBeenCalledTimes(18);
    expect(onShown).toHaveBeenLastCalledWith("f18");
  });

  it("none of these clears the picks; the scales move; the phase only where offered", () => {
    const { unmount } = render(<Harness />);
    fireEvent.click(options()[0]!);
    fireEvent.click(screen.getByRole("button", { name: "None of these" }));
    expect(screen.getByText("None of these faces.")).toBeTruthy();
    expect(options()[0]!.getAttribute("aria-selected")).toBe("false");
    fireEvent.change(screen.getByLabelText(/^Age/), { target: { value: "0.5" } });
    expect(screen.getByText("+0.5")).toBeTruthy();
    expect(screen.queryByRole("group", { name: "Which features change" })).toBeNull();
    unmount();
    render(<Harness phase />);
    expect(screen.getByRole("group", { name: "Which features change" })).toBeTruthy();
  });
});

function round(index: number, ids: string[], over: Partial<Round> = {}): Round {
  return {
    index,
    status: "succeeded",
    job_id: `job${index}`,
    step: 4,
    total_steps: 4,
    created_at: "2025-03-04T10:00:00Z",
    settings: {},
    mode: "txt2img",
    model: "evolve",
    prompt: "p",
    token_count: 1,
    parent_candidate_id: null,
    rating: null,
    feedback: null,
    error: null,
    candidates: ids.map((id, i) => ({ id, index: i, seed: i, image_url: `/i/${id}`, image_sha256: id, shown_count: 1, generation: index, parents: [] })),
    ...over,
  };
}

describe("<Lineage>", () => {
  it("lists each array's choice and the pick's parents with weights", () => {
    const r1 = round(1, ["a", "b", "c"]);
    const r2 = round(2, ["d", "e"], { evolve_choice: { picks: [{ candidate_id: "c", rating: 8 }, { candidate_id: "a", rating: 2 }], reject_all: false } });
    r2.candidates[1]!.parents = [{ candidate_id: "c", weight: 0.75 }, { candidate_id: "a", weight: 0.25 }];
    const r3 = round(3, ["f"], { evolve_choice: { picks: [], reject_all: true } });
    render(<Lineage rounds={[r1, r2, r3]} candidateId="e" />);
    const region = screen.getByRole("region", { name: "Evolution" });
    expect(region.textContent).toContain("Picked #3 (8/10), #1 (2/10) of round 1");
    expect(region.textContent).toContain("None of these of round 2");
    expect(region.textContent).toContain("Pick: generation 2, parents:");
    expect(screen.getByRole("img", { name: "Parent round 1 · #3" })).toBeTruthy();
    expect(region.textContent).toContain("round 1 · #1 × 0.25");
  });

  it("shows nothing for sessions without evolve rounds", () => {
    const { container } = render(<Lineage rounds={[round(1, ["a"], { model: "img2img" })]} candidateId="a" />);
    expect(container.textContent).toBe("");
  });
});
