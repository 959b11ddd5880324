import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { AuthProvider } from "../auth";
import { setCsrfToken, type FaceRecognitionState, type ReferenceUpload, type UploadMatch } from "../api";
import { FaceRecognitionPanel } from "./FaceRecognitionPanel";
import { ReferenceUploads } from "./ReferenceUploads";
import { bodies, serve } from "../test/serve";

function posts(fn: ReturnType<typeof serve>, path: string): unknown[] {
  return bodies(fn, "POST", path);
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const SAME_CASE: UploadMatch = {
  witness_id: "w2aaaaaaaa",
  witness_name: "Jane Witness",
  session_id: "s1",
  round_index: 3,
  candidate_index: 1,
  case_id: "k1",
  case_reference: "CR-1",
  hash_distance: 2,
};
const HIDDEN_CASE: UploadMatch = { ...SAME_CASE, witness_id: "9f8e7d6c-0000", witness_name: null, case_id: "k9", case_reference: null, hash_distance: 0 };

function upload(id: string, over: Partial<ReferenceUpload> = {}): ReferenceUpload {
  return { id, created_at: "2026-03-02T10:00:00Z", width: 512, height: 512, image_url: `/api/images/${id}`, released: null, match: null, ...over };
}

function renderUploads() {
  render(
    <AuthProvider>
      <ReferenceUploads caseId="k1" />
    </AuthProvider>,
  );
}

describe("<ReferenceUploads>", () => {
  it("lets an admin release a matching upload with a reason, then shows who released it and why", async () => {
    let released = false;
    const fn = serve("admin", (url, init) => {
      if (url === "/api/cases/k1/uploads") {
        const done = { reason: "Same offender, already identified", by: "boss", at: "2026-03-03T09:30:00Z" };
        return { status: 200, body: [upload("u1", { match: SAME_CASE, released: released ? done : null }), upload("u2")] };
      }
      if (url === "/api/cases/k1/uploads/u1/release" && init.method === "POST") {
        released = true;
        return { status: 200, body: { id: "u1", release_reason: "Same offender, already identified", released_at: "2026-03-03T09:30:00Z" } };
      }
      return undefined;
    });
    renderUploads();
    const items = await screen.findAllByRole("listitem");
    expect(items).toHaveLength(2);
    const warning = within(items[0]!).getByTestId("upload-match");
    expect(warning.textContent).toContain("Matches R3·2 drawn for witness Jane Witness (this case; 2 of 64 hash bits differ).");
    expect(within(items[1]!).queryByTestId("upload-match")).toBeNull();
    expect(within(items[1]!).queryByRole("button")).toBeNull();

    fireEvent.click(await within(items[0]!).findByRole("button", { name: /^Release the upload of/ }));
    const dialog = screen.getByRole("dialog", { name: "Release this upload?" });
    // No reason, no request: the field says what is missing.
    fireEvent.click(within(dialog).getByRole("button", { name: "Release upload" }));
    expect(within(dialog).getByText(/Write the reason/)).toBeTruthy();
    expect(posts(fn, "/api/cases/k1/uploads/u1/release")).toHaveLength(0);

    fireEvent.change(within(dialog).getByLabelText(/^Reason/), { target: { value: "  Same offender, already identified " } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole("button", { name: "Release upload" }));
    });
    expect(posts(fn, "/api/cases/k1/uploads/u1/release")).toEqual([{ reason: "Same offender, already identified" }]);
    expect(screen.queryByRole("dialog")).toBeNull();
    const line = await screen.findByTestId("upload-released");
    expect(line.textContent).toMatch(/^Released by boss on .+2026.+: “?Same offender, already identified/);
    expect(screen.queryByRole("button", { name: /^Release the upload of/ })).toBeNull();
  });

  it("keeps the dialog open with the server's message when the release is refused", async () => {
    serve("admin", (url, init) => {
      if (url === "/api/cases/k1/uploads") return { status: 200, body: [upload("u1", { match: SAME_CASE })] };
      if (init.method === "POST") return { status: 403, body: { detail: "this needs the admin role" } };
      return undefined;
    });
    renderUploads();
    fireEvent.click(await screen.findByRole("button", { name: /^Release the upload of/ }));
    const dialog = screen.getByRole("dialog");
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), { target: { value: "because" } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole("button", { name: "Release upload" }));
    });
    expect(within(dialog).getByRole("alert").textContent).toContain("this needs the admin role");
    expect(screen.getByRole("dialog")).toBeTruthy();
  });

  it("tells an artist that an admin must release it, naming only what the server named", async () => {
    serve("artist", (url) =>
      url === "/api/cases/k1/uploads" ? { status: 200, body: [upload("u1", { match: SAME_CASE }), upload("u2", { match: HIDDEN_CASE })] } : undefined,
    );
    renderUploads();
    const items = await screen.findAllByRole("listitem");
    expect(items[0]!.textContent).toContain("An admin must release this upload before it can be used for any witness other than Jane Witness.");
    expect(within(items[1]!).getByTestId("upload-match").textContent).toContain("Matches R3·2 drawn for witness 9f8e7d6c (another case; the same picture).");
    expect(items[1]!.textContent).toContain("An admin must release this upload before it can be used.");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("says when the case has no reference uploads", async () => {
    serve("artist", (url) => (url === "/api/cases/k1/uploads" ? { status: 200, body: [] } : undefined));
    renderUploads();
    expect(await screen.findByText(/^None yet/)).toBeTruthy();
    expect(screen.queryByRole("listitem")).toBeNull();
  });
});

const OFF: FaceRecognitionState = { enabled: false, reason: null, by: null, at: null };

function renderPanel(state: FaceRecognitionState, onChanged = vi.fn()) {
  render(
    <AuthProvider>
      <FaceRecognitionPanel caseId="k1" reference="CR-1" state={state} onChanged={onChanged} />
    </AuthProvider>,
  );
  return onChanged;
}

describe("<FaceRecognitionPanel>", () => {
  it("lets an admin allow face-recognition search with a reason", async () => {
    const fn = serve("admin", (url) =>
      url === "/api/cases/k1/face-recognition" ? { status: 200, body: { case_id: "k1", enabled: true, reason: "Court order 12", enabled_at: "2026-03-03T09:30:00Z" } } : undefined,
    );
    const onChanged = renderPanel(OFF);
    expect(screen.getByTestId("face-recognition-state").textContent).toContain("refused until an admin allows them");
    fireEvent.click(await screen.findByRole("button", { name: "Allow face-recognition search…" }));
    const dialog = screen.getByRole("dialog", { name: "Allow face-recognition search for CR-1?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Allow face-recognition search" }));
    expect(posts(fn, "/api/cases/k1/face-recognition")).toHaveLength(0);
    fireEvent.change(within(dialog).getByLabelText(/^Reason/), { target: { value: " Court order 12 " } });
    await act(async () => {
      fireEvent.click(within(dialog).getByRole("button", { name: "Allow face-recognition search" }));
    });
    expect(posts(fn, "/api/cases/k1/face-recognition")).toEqual([{ reason: "Court order 12" }]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("shows an artist the state, read-only", async () => {
    serve("artist", () => undefined);
    renderPanel({ enabled: true, reason: "Court order 12", by: "boss", at: "2026-03-03T09:30:00Z" });
    const state = screen.getByTestId("face-recognition-state");
    expect(state.textContent).toMatch(/^Allowed by boss on .+2026.+: “?Court order 12/);
    expect(screen.getByText("Allowed")).toBeTruthy();
    // Once /me has answered: still no button for an artist.
    await screen.findByTestId("face-recognition");
    await act(async () => {});
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("tells an artist to ask an admin while it is off", async () => {
    serve("artist", () => undefined);
    renderPanel(OFF);
    await act(async () => {});
    expect(screen.getByTestId("face-recognition-state").textContent).toContain("Ask an admin");
    expect(screen.queryByRole("button")).toBeNull();
  });
});
