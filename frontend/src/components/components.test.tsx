import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import type { Round } from "../api";
import { TokenMeter } from "./TokenMeter";
import { RoundTree } from "./RoundTree";
import { AttributeInput } from "./AttributeInput";
import { RatingInput } from "./RatingInput";
import { DescriptionDiff } from "./DiffView";
import { ATTRIBUTE_FIELDS } from "../lib/attributes";

describe("<TokenMeter>", () => {
  it("shows the count, the 75/77 window and a meter with the boundary", () => {
    render(<TokenMeter count={40} />);
    const meter = screen.getByRole("meter", { name: "Prompt tokens" });
    expect(meter.getAttribute("aria-valuenow")).toBe("40");
    expect(meter.getAttribute("aria-valuemax")).toBe("75");
    expect(screen.getByText(/fit one 77-token window/)).toBeTruthy();
    expect(screen.getByText(/35 tokens to spare/)).toBeTruthy();
  });

  it("shows chunks past the window", () => {
    const { container } = render(<TokenMeter count={90} />);
    expect(screen.getByText("2 chunks")).toBeTruthy();
    expect(container.querySelector(".token-over")).toBeTruthy();
    expect(container.querySelectorAll(".token-boundary")).toHaveLength(2);
    expect(screen.getByText(/nothing is cut off/)).toBeTruthy();
  });

  it("marks a local estimate", () => {
    render(<TokenMeter count={5} estimated />);
    expect(screen.getByTitle(/Estimated locally/)).toBeTruthy();
  });
});

function r(index: number, parent: string | null, ids: string[], status: Round["status"] = "succeeded", rating: number | null = null): Round {
  return {
    index,
    status,
    job_id: `job${index}`,
    step: 0,
    total_steps: 30,
    created_at: "2025-03-04T10:00:00Z",
    settings: {},
    mode: parent ? "img2img" : "txt2img",
    model: parent ? "clip-fusion" : "img2img",
    prompt: "",
    token_count: 0,
    parent_candidate_id: parent,
    rating,
    feedback: null,
    error: null,
    candidates: ids.map((id, i) => ({ id, index: i, seed: i, image_url: `/img/${id}`, image_sha256: `sha-${id}`, shown_count: 0 })),
  };
}

describe("<RoundTree>", () => {
  const rounds = [r(1, null, ["a", "b"]), r(2, "b", ["c", "d"], "succeeded", 6), r(3, "a", [], "running", 4)];

  it("lists every round with where it came from, and marks branches", () => {
    render(<RoundTree rounds={rounds} selectedIndex={2} onSelect={() => undefined} finalId={null} />);
    const list = screen.getByRole("list", { name: "Round history" });
    const buttons = within(list).getAllByRole("button");
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual([
      "Round 1, Ready, from the description",
      "Round 2, Ready, refined from R1·2",
      "Round 3, Drawing, refined from R1·1, branch",
    ]);
    expect(buttons[1]!.getAttribute("aria-current")).toBe("true");
    expect(screen.getByText(/rated 6\/10/)).toBeTruthy();
  });

  it("selects a round on click", () => {
    const onSelect = vi.fn();
    render(<RoundTree rounds={rounds} selectedIndex={null} onSelect={onSelect} finalId={null} />);
    fireEvent.click(screen.getByRole("button", { name: /Round 3/ }));
    expect(onSelect).toHaveBeenCalledWith(3);
  });
});

function AttrHarness({ initial = "" }: { initial?: string }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <AttributeInput field={ATTRIBUTE_FIELDS.find((f) => f.path === "nose")!} value={value} onChange={setValue} />
      <output data-testid="value">{value}</output>
    </>
  );
}

describe("<AttributeInput>", () => {
  it("is labelled, and toggles not seen / unsure", () => {
    render(<AttrHarness />);
    const input = screen.getByLabelText("Nose") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "broad" } });
    expect(screen.getByTestId("value").textContent).toBe("broad");
    const notSeen = screen.getByRole("button", { name: "Nose: not seen" });
    fireEvent.click(notSeen);
    expect(screen.getByTestId("value").textContent).toBe("not_seen");
    expect(notSeen.getAttribute("aria-pressed")).toBe("true");
    expect(input.value).toBe("");
    expect(input.placeholder).toBe("Not seen");
    fireEvent.click(screen.getByRole("button", { name: "Nose: unsure" }));
    expect(screen.getByTestId("value").textContent).toBe("unsure");
    fireEvent.click(screen.getByRole("button", { name: "Nose: unsure" }));
    expect(screen.getByTestId("value").textContent).toBe("");
  });

  it("typing over a marker replaces it", () => {
    render(<AttrHarness initial="not_seen" />);
    fireEvent.change(screen.getByLabelText("Nose"), { target: { value: "hooked" } });
    expect(screen.getByTestId("value").textContent).toBe("hooked");
  });
});

describe("<RatingInput>", () => {
  it("is a radio group of 0-10", () => {
    const onChange = vi.fn();
    render(<RatingInput value={3} onChange={onChange} label="How close?" />);
    const group = screen.getByRole("radiogroup", { name: "How close?" });
    expect(within(group).getAllByRole("radio")).toHaveLength(11);
    expect(screen.getByRole("radio", { name: "Rating 3 of 10" }).getAttribute("aria-checked")).toBe("true");
    fireEvent.click(screen.getByRole("radio", { name: "Rating 7 of 10" }));
    expect(onChange).toHaveBeenCalledWith(7);
  });
});

describe("<DescriptionDiff>", () => {
  it("shows inserted and deleted words and attribute changes", () => {
    const base = { id: "1", witness_id: "w", supersedes_id: null, prompt: "", token_count: 0, created_at: "" };
    const { container } = render(
      <DescriptionDiff
        before={{ ...base, version: 1, text: "short grey hair", attributes: { eyes: "blue" } }}
        after={{ ...base, id: "2", version: 2, text: "short dark hair", attributes: { eyes: "not_seen" } }}
      />,
    );
    expect(container.querySelector("del")?.textContent).toContain("grey");
    expect(container.querySelector("ins")?.textContent).toContain("dark");
    expect(screen.getByRole("rowheader", { name: "Eyes" })).toBeTruthy();
    expect(screen.getByText("not seen")).toBeTruthy();
  });
});
