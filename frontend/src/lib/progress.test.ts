import { describe, expect, it } from "vitest";
import { normalizeProgress, parseProgress } from "../jobProgress";
import { previewOf } from "./progress";

describe("per-step preview", () => {
  const running = { status: "running" as const, step: 7, total_steps: 30, preview_url: "/api/jobs/j/preview?step=7" };

  it("shows the newest preview of a running round, with its step", () => {
    expect(previewOf(running)).toEqual({ url: "/api/jobs/j/preview?step=7", caption: "Preview, step 7 of 30" });
    // The URL's step wins: it names the picture the server wrote.
    expect(previewOf({ ...running, step: 9 })?.caption).toBe("Preview, step 7 of 30");
    expect(previewOf({ ...running, preview_url: "/api/jobs/j/preview" })?.caption).toBe("Preview, step 7 of 30");
    expect(previewOf({ ...running, total_steps: 0, preview_url: "/p" })?.caption).toBe("Preview, step 7");
  });

  it("shows nothing before the first preview, while queued, or once done", () => {
    expect(previewOf(null)).toBeNull();
    expect(previewOf({ ...running, preview_url: null })).toBeNull();
    expect(previewOf({ ...running, preview_url: undefined })).toBeNull();
    expect(previewOf({ ...running, status: "queued" })).toBeNull();
    expect(previewOf({ ...running, status: "succeeded" })).toBeNull();
  });

  it("reads preview_url from progress events and from GET /api/jobs/{id}", () => {
    expect(parseProgress(JSON.stringify({ job_id: "j", status: "running", step: 3, total_steps: 4, preview_url: "/p?step=3" }))).toEqual({
      job_id: "j",
      status: "running",
      step: 3,
      total_steps: 4,
      error: null,
      preview_url: "/p?step=3",
    });
    expect(normalizeProgress({ id: "j", status: "running", step: 1, total_steps: 4 })?.preview_url).toBeNull();
    expect(normalizeProgress({ status: "running", preview_url: "" })?.preview_url).toBeNull();
    expect(normalizeProgress(null)).toBeNull();
    expect(normalizeProgress({ step: 1 })).toBeNull();
    expect(parseProgress("not json")).toBeNull();
  });
});
