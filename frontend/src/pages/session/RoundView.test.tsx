import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import type { Round } from "../../api";
import { RoundRequest } from "./RoundView";

function round(over: Partial<Round>): Round {
  return {
    index: 2,
    status: "succeeded",
    job_id: "job2",
    step: 30,
    total_steps: 30,
    created_at: "2025-03-04T10:00:00Z",
    settings: {},
    mode: "img2img",
    model: "img2img",
    prompt: "p",
    token_count: 1,
    parent_candidate_id: "a",
    rating: 5,
    feedback: null,
    error: null,
    candidates: [],
    ...over,
  };
}

describe("what a round was asked to change", () => {
  it("shows the words and the region", () => {
    const { container } = render(<RoundRequest round={round({ feedback: "nose wider", region: "nose" })} />);
    expect(container.textContent).toBe("Asked for: “nose wider” · region nose");
  });

  it("shows a region or a painted mask without words too", () => {
    const region = render(<RoundRequest round={round({ region: "eyebrows" })} />);
    expect(region.container.textContent).toBe("Changed only: region eyebrows");
    const mask = render(<RoundRequest round={round({ mask_sha256: "abc" })} />);
    expect(mask.container.textContent).toBe("Changed only: under a painted mask");
  });

  it("shows nothing for a round that changed the whole face without words", () => {
    expect(render(<RoundRequest round={round({})} />).container.textContent).toBe("");
  });
});
