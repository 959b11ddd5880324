import { afterEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { AuthProvider } from "../auth";
import { CasePage } from "./CasePage";
import { setCsrfToken, type CaseDetail, type Witness } from "../api";
import { bodies, serve } from "../test/serve";

const WITNESS: Witness = { id: "w1", case_id: "c1", name: "Witness A", contact: "555-0100", created_at: "2024-01-02T10:00:00Z", descriptions: [] };

const CASE: CaseDetail = {
  id: "c1",
  reference: "CR-1",
  title: "Bakery robbery",
  offence: "",
  occurred_on: null,
  location: "",
  notes: "",
  status: "open",
  owner: { id: "u1", username: "alice" },
  created_at: "2024-01-02T10:00:00Z",
  witness_count: 1,
  releasable_for_training: false,
  face_recognition: { enabled: false, reason: null, by: null, at: null },
  witnesses: [WITNESS],
  sessions: [],
};

const PAGE = { "/api/cases/c1": CASE, "/api/cases/c1/uploads": [] };

function patches(fn: ReturnType<typeof serve>): unknown[] {
  return bodies(fn, "PATCH", "/api/witnesses/w1");
}

async function renderPage() {
  render(
    <MemoryRouter initialEntries={["/cases/c1"]}>
      <AuthProvider>
        <Routes>
          <Route path="/cases/:caseId" element={<CasePage />} />
        </Routes>
      </AuthProvider>
    </MemoryRouter>,
  );
  return screen.findByRole("article", { name: "Witness Witness A" });
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

describe("<CasePage> witness edit", () => {
  it("sends the new name and contact with PATCH and shows the saved witness", async () => {
    const fn = serve("artist", (url, init) => {
      if (url === "/api/witnesses/w1" && init.method === "PATCH") {
        const body = JSON.parse(String(init.body)) as { name: string; contact: string };
        return { status: 200, body: { ...WITNESS, ...body } };
      }
      return undefined;
    }, PAGE);
    const card = await renderPage();
    fireEvent.click(within(card).getByRole("button", { name: "Edit witness Witness A" }));
    const form = within(card).getByRole("form", { name: "Edit witness Witness A" });
    expect((within(form).getByLabelText(/^Name/) as HTMLInputElement).value).toBe("Witness A");
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: "  Witness B " } });
    fireEvent.change(within(form).getByLabelText("Contact"), { target: { value: "b@example.org" } });
    await act(async () => {
      fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    });
    const sent = patches(fn);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toEqual({ name: "Witness B", contact: "b@example.org" });
    const renamed = await screen.findByRole("article", { name: "Witness Witness B" });
    expect(within(renamed).getByRole("heading", { name: "Witness B" })).toBeTruthy();
    expect(within(renamed).getByText("b@example.org")).toBeTruthy();
    expect(within(renamed).queryByRole("form")).toBeNull();
  });

  it("shows the server's error and keeps the form when the change is refused", async () => {
    const fn = serve("artist", (url, init) => {
      if (url === "/api/witnesses/w1" && init.method === "PATCH") return { status: 403, body: { detail: "you cannot see this case" } };
      return undefined;
    }, PAGE);
    const card = await renderPage();
    fireEvent.click(within(card).getByRole("button", { name: "Edit witness Witness A" }));
    const form = within(card).getByRole("form", { name: "Edit witness Witness A" });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: "Witness B" } });
    await act(async () => {
      fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    });
    expect(patches(fn)).toHaveLength(1);
    expect((await within(form).findByRole("alert")).textContent).toContain("you cannot see this case");
    expect((within(form).getByLabelText(/^Name/) as HTMLInputElement).value).toBe("Witness B");
    // Nothing changed on the page: the card is still Witness A's.
    expect(screen.getByRole("article", { name: "Witness Witness A" })).toBeTruthy();
  });

  it("does not send an empty name, and Cancel leaves the witness as it was", async () => {
    const fn = serve("artist", () => undefined, PAGE);
    const card = await renderPage();
    fireEvent.click(within(card).getByRole("button", { name: "Edit witness Witness A" }));
    const form = within(card).getByRole("form", { name: "Edit witness Witness A" });
    fireEvent.change(within(form).getByLabelText(/^Name/), { target: { value: "   " } });
    fireEvent.click(within(form).getByRole("button", { name: "Save" }));
    expect(within(form).getByText(/Enter a name/)).toBeTruthy();
    fireEvent.click(within(form).getByRole("button", { name: "Cancel" }));
    expect(patches(fn)).toHaveLength(0);
    expect(within(card).getByRole("heading", { name: "Witness A" })).toBeTruthy();
  });
});
