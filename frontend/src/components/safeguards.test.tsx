import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/react";
import type { Candidate, Round, Session } from "../api";
import { CandidateGrid } from "./CandidateGrid";
import { ExportLink } from "./ExportLink";
import { FocusView } from "./FocusView";
import { MaskOverlay } from "./MaskOverlay";
import { QrCode } from "./QrCode";
import { ExposureBar } from "../pages/session/ExposureBar";
import { ApproveDialog } from "../pages/session/SessionDialogs";
import { MaskCanvas } from "../lib/mask";
import { qrPath } from "../lib/qr";

function cand(i: number, over: Partial<Candidate> = {}): Candidate {
  return { id: `c${i}`, index: i, seed: 100 + i, image_url: `/api/images/img${i}`, image_sha256: `sha${i}`, shown_count: 0, ...over };
}

function round(candidates: Candidate[]): Round {
  return {
    index: 2,
    status: "succeeded",
    job_id: "j2",
    step: 0,
    total_steps: 0,
    created_at: "2026-01-01T00:00:00Z",
    mode: "img2img",
    model: "img2img",
    prompt: "a face",
    token_count: 3,
    parent_candidate_id: null,
    rating: null,
    feedback: null,
    error: null,
    settings: {},
    candidates,
  };
}

const SESSION: Session = {
  id: "s1",
  status: "active",
  case_id: "k1",
  witness_id: "w1",
  description_id: "d1",
  max_rounds: 5,
  candidates: 4,
  final_candidate_id: null,
  created_at: "2026-01-01T00:00:00Z",
  approved_at: null,
  rounds: [],
};

describe("<CandidateGrid> safeguards", () => {
  const props = { focusedIndex: 0, pickedId: null, compareIds: [], finalId: null, onFocus: () => {}, onPick: () => {}, onToggleCompare: () => {} };

  it("labels every candidate as a composite, links its labelled download and flags a photographic one", () => {
    render(<CandidateGrid round={round([cand(0), cand(1, { photographic: true })])} {...props} />);
    const options = screen.getAllByRole("option");
    expect(options).toHaveLength(2);
    for (const o of options) expect(o.textContent).toContain("Composite — not a photograph");
    const download = screen.getByRole("link", { name: "Download candidate 2 of round 2, labelled as a composite" });
    expect(download.getAttribute("href")).toBe("/api/images/img1/download");
    expect(within(options[1]!).getByText("looks photographic")).toBeTruthy();
    expect(within(options[0]!).queryByText("looks photographic")).toBeNull();
  });

  it("asks for the faces with witness_viewing=1 only while the witness is looking", () => {
    const { rerender } = render(<CandidateGrid round={round([cand(0)])} {...props} />);
    expect(screen.getByRole("img", { name: "Candidate 1 of round 2" }).getAttribute("src")).toBe("/api/images/img0");
    rerender(<CandidateGrid round={round([cand(0)])} {...props} witnessViewing />);
    expect(screen.getByRole("img", { name: "Candidate 1 of round 2" }).getAttribute("src")).toBe("/api/images/img0?witness_viewing=1");
  });
});

describe("<FocusView>", () => {
  it("shows the focused candidate large with the others as thumbnails, and picks it", () => {
    const onFocus = vi.fn();
    const onPick = vi.fn();
    render(<FocusView round={round([cand(0), cand(1), cand(2)])} focusedIndex={1} onFocus={onFocus} pickedId={null} onPick={onPick} />);
    expect(screen.getByRole("img", { name: "Candidate 2 of round 2, large" }).getAttribute("src")).toBe("/api/images/img1");
    const thumbs = within(screen.getByRole("list", { name: "Round 2 thumbnails" })).getAllByRole("button");
    expect(thumbs).toHaveLength(3);
    expect(thumbs[1]!.getAttribute("aria-current")).toBe("true");
    fireEvent.click(thumbs[2]!);
    expect(onFocus).toHaveBeenCalledWith(2);
    fireEvent.click(screen.getByRole("button", { name: "Pick R2·2" }));
    expect(onPick).toHaveBeenCalledWith(expect.objectContaining({ id: "c1" }));
    expect(screen.getByTestId("focus-view").textContent).toContain("Composite — not a photograph");
  });
});

describe("<MaskOverlay>", () => {
  it("outlines the chosen region over the pick", () => {
    const { container } = render(<MaskOverlay src="/api/images/a" alt="Pick" mask={null} region="ears" />);
    expect(container.querySelectorAll(".region-box")).toHaveLength(2);
    expect(screen.getByRole("img", { name: "Overlay on the pick: region: ears" })).toBeTruthy();
  });

  it("tints a painted mask instead of a region", () => {
    const mask = new MaskCanvas(8, 8);
    mask.stamp(4, 4, 2);
    const { container } = render(<MaskOverlay src="/api/images/a" alt="Pick" mask={mask} region="nose" />);
    expect(container.querySelector("canvas.mask-overlay")).toBeTruthy();
    expect(container.querySelectorAll(".region-box")).toHaveLength(0);
    expect(screen.getByRole("img", { name: "Overlay on the pick: painted mask" })).toBeTruthy();
  });

  it("shows nothing over the whole face", () => {
    const { container } = render(<MaskOverlay src="/api/images/a" alt="Pick" mask={null} region="" />);
    expect(container.querySelector(".mask-overlay")).toBeNull();
  });
});

describe("<ExportLink>", () => {
  it("needs a purpose before it links to the export, and sends it", () => {
    render(<ExportLink caseId="k1" label="Export CR-1 (ZIP)" />);
    const button = screen.getByRole("button", { name: "Export CR-1 (ZIP)" });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Export purpose"), { target: { value: "public-appeal" } });
    expect(screen.getByRole("link", { name: "Export CR-1 (ZIP)" }).getAttribute("href")).toBe("/api/cases/k1/export?purpose=public-appeal");
  });

  it("offers face-recognition search only once an admin allowed it, and says why not before", () => {
    const option = () => screen.getByRole("option", { name: /^Face-recognition search/ }) as HTMLOptionElement;
    const { rerender } = render(<ExportLink caseId="k1" faceRecognition={false} />);
    expect(option().disabled).toBe(true);
    expect(option().textContent).toBe("Face-recognition search (an admin has not allowed it for this case)");
    rerender(<ExportLink caseId="k1" />);
    expect(option().disabled).toBe(true);
    expect(option().textContent).toBe("Face-recognition search (from the case page)");
    rerender(<ExportLink caseId="k1" faceRecognition />);
    expect(option().disabled).toBe(false);
    fireEvent.change(screen.getByLabelText("Export purpose"), { target: { value: "face-recognition" } });
    expect(screen.getByRole("link", { name: "Export (ZIP)" }).getAttribute("href")).toBe("/api/cases/k1/export?purpose=face-recognition");
  });
});

describe("<ExposureBar>", () => {
  it("shows the count against the cap, the server's warning and the witness switch", () => {
    const onSwitch = vi.fn();
    render(
      <ExposureBar session={{ ...SESSION, exposures: 46, exposure_cap: 60, warning: "46 of 60 faces shown" }} witnessViewing={false} onWitnessViewing={onSwitch} />,
    );
    const bar = screen.getByTestId("exposure-bar");
    expect(bar.textContent).toContain("Faces shown to this witness: 46 of 60");
    expect(bar.className).toContain("exposure-bar-warning");
    expect(screen.getByRole("status").textContent).toBe("Exposure warning: 46 of 60 faces shown");
    fireEvent.click(screen.getByRole("switch", { name: "Witness is looking at this screen" }));
    expect(onSwitch).toHaveBeenCalledWith(true);
  });

  it("has no switch once the session is approved", () => {
    render(<ExposureBar session={{ ...SESSION, status: "approved", exposures: 4, exposure_cap: 60 }} witnessViewing={false} onWitnessViewing={() => {}} />);
    expect(screen.queryByRole("switch")).toBeNull();
    expect(screen.queryByRole("status")).toBeNull();
  });
});

describe("<ApproveDialog>", () => {
  it("takes the witness's words and confidence before approving", () => {
    const onApprove = vi.fn();
    const picked = { candidate: cand(3), round: round([cand(3)]), position: 1 };
    render(<ApproveDialog picked={picked as never} onApprove={onApprove} pending={false} error={null} onClose={() => {}} />);
    const submit = screen.getByRole("button", { name: "Approve final composite" }) as HTMLButtonElement;
    expect(submit.disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("The witness's words about the likeness (verbatim)"), { target: { value: "That is him, the nose is right" } });
    expect(submit.disabled).toBe(true);
    fireEvent.click(screen.getByRole("radio", { name: "Rating 8 of 10" }));
    expect(submit.disabled).toBe(false);
    fireEvent.click(submit);
    expect(onApprove).toHaveBeenCalledWith("That is him, the nose is right", 8);
  });
});

describe("<QrCode>", () => {
  it("encodes the text locally, and different links give different codes", () => {
    const a = qrPath("https://likeness.example/w#token-one");
    const b = qrPath("https://likeness.example/w#token-two");
    expect(a.size).toBeGreaterThanOrEqual(21);
    expect((a.size - 17) % 4).toBe(0);
    expect(a.path).not.toBe(b.path);
    render(<QrCode text="https://likeness.example/w#token-one" label="Witness link as a QR code" />);
    const svg = screen.getByRole("img", { name: "Witness link as a QR code" });
    expect(svg.querySelector("path")?.getAttribute("d")).toBe(a.path);
  });
});
