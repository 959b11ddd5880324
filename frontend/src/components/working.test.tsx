import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { useState } from "react";
import { api, type PromptPreview, type Round } from "../api";
import { NextPrompt } from "./NextPrompt";
import { ClauseKinds, ClauseList } from "./ClauseList";
import { RoundWords } from "./RoundWords";
import { Suggestions } from "./Suggestions";
import { WorkingDescription } from "./WorkingDescription";
import type { Suggestion, Working, WorkingEdits } from "../lib/working";

const W: Working = {
  attributes: { nose: "crooked" },
  clauses: [
    { text: "thin face", kind: "draw", source: "description", round: 1, promoted: false },
    { text: "I didn't see his eyes", kind: "unknown", source: "description", round: 1, promoted: false },
    { text: "maybe a scar", kind: "uncertain", source: "description", round: 1, promoted: false },
  ],
};
const NOSE: Suggestion = { id: "n1", kind: "set", field: "nose", value: "wide crooked", text: "nose: wide crooked", said: "nose wider" };
const AGE: Suggestion = { id: "a1", kind: "set", field: "age_range", value: "40-50", text: "age_range: 40-50", said: "he was older" };

describe("<ClauseKinds> and <ClauseList>", () => {
  it("labels every clause's kind in words, not colour alone", () => {
    render(<ClauseKinds label="Clauses" clauses={[{ text: "I didn't see his eyes", kind: "unknown" }, { text: "no beard", kind: "absent" }]} />);
    const items = within(screen.getByRole("list", { name: "Clauses" })).getAllByRole("listitem");
    expect(items.map((li) => li.textContent)).toEqual(["Not seenI didn't see his eyes", "Absentno beard"]);
    expect(items[0]?.getAttribute("data-kind")).toBe("unknown");
  });

  it("changes a kind, promotes an unsure clause and strikes one", () => {
    const onKind = vi.fn(), onPromote = vi.fn(), onStrike = vi.fn();
    render(<ClauseList clauses={W.clauses ?? []} onKind={onKind} onPromote={onPromote} onStrike={onStrike} />);
    fireEvent.change(screen.getByLabelText("Kind of “thin face”"), { target: { value: "absent" } });
    expect(onKind).toHaveBeenCalledWith("thin face", "absent");
    // Only the unsure clause has "Draw it"; the not-seen one says it is not drawn.
    const drawIt = screen.getAllByRole("checkbox", { name: "Draw it" });
    expect(drawIt).toHaveLength(1);
    fireEvent.click(drawIt[0]!);
    expect(onPromote).toHaveBeenCalledWith("maybe a scar", true);
    expect(screen.getAllByTestId("working-clause")[1]?.textContent).toContain("description · not drawn");
    fireEvent.click(screen.getByRole("button", { name: "Strike “thin face”" }));
    expect(onStrike).toHaveBeenCalledWith("thin face");
  });
});

describe("<Suggestions>", () => {
  it("preselects nothing and records each decision", () => {
    const onDecide = vi.fn(), onDecideAll = vi.fn();
    const { rerender } = render(<Suggestions suggestions={[NOSE, AGE]} decisions={{}} onDecide={onDecide} onDecideAll={onDecideAll} pending={false} error={null} />);
    expect(screen.queryByRole("button", { name: "Accepted" })).toBeNull();
    expect(screen.getByText("(2 to decide)")).toBeTruthy();
    expect(screen.getByText("from “nose wider”")).toBeTruthy();
    // Fields read as the attribute form names them, not as stored ("age_range").
    expect(screen.getByText("Age range: 40-50")).toBeTruthy();
    fireEvent.click(within(screen.getByRole("group", { name: "Decide: Nose: wide crooked" })).getByRole("button", { name: "Accept" }));
    expect(onDecide).toHaveBeenCalledWith(NOSE, "accept");
    rerender(<Suggestions suggestions={[NOSE, AGE]} decisions={{ n1: "accept", a1: "reject" }} onDecide={onDecide} onDecideAll={onDecideAll} pending={false} error={null} />);
    const accepted = screen.getByRole("button", { name: "Accepted" });
    expect(accepted.getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(accepted);
    expect(onDecide).toHaveBeenLastCalledWith(NOSE, null);
    fireEvent.click(screen.getByRole("button", { name: "Accept all" }));
    expect(onDecideAll).toHaveBeenCalledWith("accept");
  });

  it("says when nothing is suggested, or the suggester failed", () => {
    const { rerender } = render(<Suggestions suggestions={[]} decisions={{}} onDecide={vi.fn()} onDecideAll={vi.fn()} pending={false} error={null} />);
    expect(screen.getByText(/No edits suggested/)).toBeTruthy();
    rerender(<Suggestions suggestions={null} decisions={{}} onDecide={vi.fn()} onDecideAll={vi.fn()} pending={false} error="429" />);
    expect(screen.getByText(/Suggestions unavailable \(429\)/)).toBeTruthy();
  });
});

function Harness({ offered, initial }: { offered: Suggestion[]; initial?: WorkingEdits }) {
  const [edits, setEdits] = useState<WorkingEdits>(initial ?? { base: W, accepted: {}, rejected: [] });
  return <WorkingDescription current={W} edits={edits} onEdits={setEdits} offered={offered} round={2} />;
}

describe("<WorkingDescription>", () => {
  it("shows accepted edits and the artist's changes against the session's description", () => {
    render(<Harness offered={[NOSE]} initial={{ base: W, accepted: { n1: NOSE }, rejected: [] }} />);
    const changes = screen.getByTestId("working-changes");
    expect(changes.textContent).toContain("Nose: crooked → wide crooked");
    fireEvent.click(screen.getByRole("button", { name: "Strike “thin face”" }));
    expect(changes.textContent).toContain("Struck “thin face”");
    // Struck clauses can come back.
    fireEvent.click(screen.getByRole("button", { name: "Restore" }));
    expect(changes.textContent).not.toContain("thin face");
    fireEvent.click(screen.getByRole("checkbox", { name: "Draw it" }));
    expect(changes.textContent).toContain("“maybe a scar”: promoted: draw it");
  });

  it("adds a clause with its kind; Enter adds, it does not submit", () => {
    const onSubmit = vi.fn((e: { preventDefault: () => void }) => e.preventDefault());
    render(
      <form onSubmit={onSubmit}>
        <Harness offered={[]} />
      </form>,
    );
    fireEvent.change(screen.getByLabelText("New clause"), { target: { value: "no glasses" } });
    fireEvent.change(screen.getByLabelText("Kind of the new clause"), { target: { value: "absent" } });
    fireEvent.keyDown(screen.getByLabelText("New clause"), { key: "Enter" });
    expect(onSubmit).not.toHaveBeenCalled();
    const added = screen.getAllByTestId("working-clause").at(-1);
    expect(added?.getAttribute("data-kind")).toBe("absent");
    expect(added?.textContent).toContain("no glasses");
    expect(added?.textContent).toContain("artist");
    expect(screen.getByTestId("working-changes").textContent).toContain("Added “no glasses” (Absent)");
  });
});

describe("<RoundWords>", () => {
  it("keeps the witness's words apart from the artist's interpretation", () => {
    const round = {
      index: 2,
      feedback: "nose wider, and he was older",
      accepted_edits: [NOSE],
      working_diff: { attributes: { nose: { from: "crooked", to: "wide crooked" } }, added: [], removed: [{ text: "thin face", kind: "draw" }], changed: [] },
    } as unknown as Round;
    render(<RoundWords rounds={[round]} openIndex={2} />);
    const box = screen.getByTestId("round-words-2");
    expect(box.querySelector("blockquote")?.textContent).toBe("nose wider, and he was older");
    expect(within(box).getByRole("list", { name: "Suggestions accepted in round 2" }).textContent).toBe("Accepted: Nose: wide crooked");
    const diff = within(box).getByRole("list", { name: "Changes to the working description in round 2" });
    expect(diff.textContent).toContain("Struck “thin face”");
    expect(box.textContent?.indexOf("Witness said")).toBeLessThan(box.textContent?.indexOf("Artist's interpretation") ?? -1);
  });
});

describe("<NextPrompt>", () => {
  it("asks the server for the prompt of the working description once opened", async () => {
    const answer = { prompt: "sketch, male, wide crooked nose", negative_prompt: "glasses", token_count: 9, window: 77, clauses: [] } as unknown as PromptPreview;
    const spy = vi.spyOn(api, "previewWorking").mockResolvedValue(answer);
    const { container } = render(<NextPrompt working={W} />);
    expect(spy).not.toHaveBeenCalled();
    const details = container.querySelector("details")!;
    details.open = true;
    fireEvent(details, new Event("toggle"));
    await waitFor(() => expect(screen.getByTestId("next-prompt").textContent).toBe("sketch, male, wide crooked nose"));
    expect(spy.mock.calls[0]?.[0]).toEqual(W);
    expect(screen.getByText("Kept out: glasses")).toBeTruthy();
    spy.mockRestore();
  });
});
