import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { MaskOverlay } from "./MaskOverlay";

describe("<MaskOverlay> with a region", () => {
  it("shows the boxes at once, then the region the server found on this face instead", () => {
    const { container } = render(<MaskOverlay src="/api/images/a" alt="Pick" mask={null} region="nose" />);
    const found = screen.getByTestId("region-overlay");
    expect(found.getAttribute("src")).toBe("/api/images/a/regions/nose");
    expect(found.className).toContain("is-loading");
    expect(container.querySelectorAll(".region-box")).toHaveLength(1);
    fireEvent.load(found);
    expect(screen.getByTestId("region-overlay").className).not.toContain("is-loading");
    expect(container.querySelectorAll(".region-box")).toHaveLength(0);
    expect(screen.getByRole("img", { name: "Overlay on the pick: region: nose" })).toBeTruthy();
  });

  it("keeps the boxes, marked approximate, where the server finds no face", () => {
    const { container } = render(<MaskOverlay src="/api/images/a" alt="Pick" mask={null} region="eyes" />);
    fireEvent.error(screen.getByTestId("region-overlay"));
    expect(screen.queryByTestId("region-overlay")).toBeNull();
    expect(container.querySelectorAll(".region-box")).toHaveLength(1);
    expect(screen.getByRole("img", { name: "Overlay on the pick: region: eyes (approximate: no face found)" })).toBeTruthy();
  });

  it("asks again when the region changes", () => {
    const { rerender } = render(<MaskOverlay src="/api/images/a" alt="Pick" mask={null} region="eyes" />);
    fireEvent.error(screen.getByTestId("region-overlay"));
    rerender(<MaskOverlay src="/api/images/a" alt="Pick" mask={null} region="mouth" />);
    expect(screen.getByTestId("region-overlay").getAttribute("src")).toBe("/api/images/a/regions/mouth");
  });
});
