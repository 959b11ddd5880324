/**
 * The one place the browser talks to the Likeness API.
 *
 * Cookie sessions: the server sets an HttpOnly cookie on login and hands back a
 * CSRF token that every non-GET request repeats in `X-CSRF-Token`. A 401 from
 * any call means the session has expired: the client tells its listeners (the
 * auth provider shows the sign-in dialog over the page, so nothing on screen is
 * lost) and the caller gets an `ApiError` with `status === 401`.
 */

// ---------------------------------------------------------------- types

// Generated from the server's OpenAPI schema (`make api-types`); never edit schema.d.ts by hand.
import type { components, operations } from "./api/schema";

type Schemas = components["schemas"];

export type User = Schemas["UserOut"];
export type Role = User["role"];
/** PATCH /api/users/{id} (admin): any of these; a new password signs the user out everywhere. */
export type UserUpdate = Schemas["UserUpdate"];
/** PATCH /api/witnesses/{id}: any of these. */
export type WitnessUpdate = Schemas["WitnessUpdate"];
export type AuthState = Schemas["Me"];

/** GET /api/health: a free-form report (the server gives it no schema); these parts are always there. */
export interface Health {
  status: string;
  database: { ok: boolean; [key: string]: unknown };
  broker: { ok: boolean; [key: string]: unknown };
  worker: { ok: boolean; count?: number; [key: string]: unknown };
  model: { name: string; random_weights: boolean; [key: string]: unknown };
  [key: string]: unknown;
}

export type CaseStatus = NonNullable<Schemas["CaseUpdate"]["status"]>;
export type CaseSummary = Schemas["CaseOut"];
export type CaseInput = Schemas["CaseCreate"];
export type CaseUpdate = Schemas["CaseUpdate"];

export type Attributes = Schemas["Attributes"];
export type HairAttributes = Schemas["Hair"];
export type AttributeValue = NonNullable<Attributes["sex"]>;
/** The server sends a description's attributes as a plain object; they are the `Attributes` it was given. */
export type Description = Omit<Schemas["DescriptionOut"], "attributes"> & { attributes: Attributes };
export type Witness = Omit<Schemas["WitnessOut"], "descriptions"> & { descriptions: Description[] };
export type CaseDetail = Omit<Schemas["CaseDetail"], "witnesses"> & { witnesses: Witness[] };
export type PromptPreview = Schemas["PromptPreviewOut"];

export type SessionStatus = Schemas["SessionOut"]["status"];
export type SessionSummary = Schemas["SessionSummary"];
export type JobStatus = Schemas["JobStatus"];
export type ModelId = Schemas["Strategy"];
export type Candidate = Schemas["CandidateOut"];
export type Round = Schemas["RoundOut"];
export type Region = NonNullable<Round["region"]>;
export type Session = Schemas["SessionOut"];
export type SessionCreate = Schemas["SessionCreate"];
export type RoundCreate = Schemas["RoundCreate"];

/** Sketch styles the registry lists (GET /api/models → styles). */
export type SketchStyle = Schemas["RegistryOut"]["styles"][number];
export type AdapterSchedule = NonNullable<RoundCreate["adapter_schedule"]>;
/** An adapter and its weight (the client always says the weight). */
export type AdapterChoice = Required<Schemas["AdapterChoice"]>;
export type Adapter = Schemas["AdapterOut"];
export type AdapterKind = Adapter["kind"];
/** GET /api/models: the base model, the strategies and styles the engine takes, and the adapters beside it. */
export type Registry = Schemas["RegistryOut"];

/** A time-limited witness link for another device; the token rides in the URL's fragment. */
export type WitnessLink = Schemas["LinkOut"];
export type WitnessCandidate = Schemas["WitnessCandidate"];
export type WitnessRound = Schemas["WitnessRound"];
/** What a witness link shows: one session's rounds and faces, nothing about the case. */
export type WitnessView = Schemas["WitnessView"];
export type WitnessPick = Schemas["WitnessPick"];

export type JobProgress = Schemas["ProgressEvent"];
export type Upload = Schemas["UploadOut"];
/** GET /api/cases/{id}/uploads: a reference upload, the other witness's face it matches, and its release. */
export type ReferenceUpload = Schemas["ReferenceUploadOut"];
export type UploadMatch = Schemas["UploadMatch"];
/** On every case: whether an admin allowed face-recognition exports, why, by whom and when. */
export type FaceRecognitionState = Schemas["FaceRecognitionState"];
export type AuditEvent = Schemas["AuditEventOut"];
export type AuditVerify = Schemas["ChainOut"];
/** GET /api/audit filters (newest first); `action` ending in `.*` matches a prefix, `limit` ≤ 1000. */
export type AuditQuery = NonNullable<operations["list_events_api_audit_get"]["parameters"]["query"]>;
/** One page of the trail and the cursor of the next (older) page; null on the last page. */
export interface AuditPage {
  events: AuditEvent[];
  nextCursor: number | null;
}

// ---------------------------------------------------------------- safeguards (issue 11)
// The generated types carry their fields (photographic, exposures, exposure_reason, ended...).

export type ExportPurpose = "disclosure" | "public-appeal" | "internal-review" | "face-recognition";

// ---------------------------------------------------------------- errors

/** A failed request, with a sentence a person can act on. */
export class ApiError extends Error {
  readonly status: number;
  readonly detail: unknown;

  constructor(status: number, message: string, detail?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.detail = detail;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

interface PydanticError {
  loc?: (string | number)[];
  msg?: string;
}

/** Turns FastAPI's `detail` (a string or a list of pydantic errors) into one sentence. */
export function describeDetail(detail: unknown): string | null {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    const parts = (detail as PydanticError[]).map((err) => {
      const loc = (err.loc ?? []).filter((p) => p !== "body").join(".");
      const msg = err.msg ?? "is not valid";
      return loc ? `${loc}: ${msg}` : msg;
    });
    return parts.length ? parts.join("; ") : null;
  }
  if (detail && typeof detail === "object" && "message" in detail) {
    return String((detail as { message: unknown }).message);
  }
  return null;
}

function fallbackMessage(status: number): string {
  if (status === 0) return "Could not reach the Likeness server. Check the connection and try again.";
  if (status === 401) return "Your session has expired. Sign in again to continue.";
  if (status === 403) return "Your account is not allowed to do this. Ask an admin for access.";
  if (status === 404) return "Not found. It may have been removed, or the link is wrong.";
  if (status === 409) return "This conflicts with the current state. Reload and try again.";
  if (status === 413) return "The upload is too large.";
  if (status === 422) return "Some fields are not valid.";
  if (status >= 500) return `The server hit an error (${status}). Your input is kept; try again in a moment.`;
  return `Request failed (${status}).`;
}

// ---------------------------------------------------------------- client core

type UnauthorizedListener = () => void;

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<UnauthorizedListener>();

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Called whenever any request answers 401 (except the login attempt itself). */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  /** Don't announce a 401 (used by login and the initial /me probe). */
  quiet401?: boolean;
  raw?: boolean;
  /** This CSRF token instead of the signed-in user's (the witness link has its own). */
  csrf?: string | null;
}

async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  let body: BodyInit | undefined;
  if (opts.form) {
    body = opts.form;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const csrf = opts.csrf !== undefined ? opts.csrf : csrfToken;
  if (method !== "GET" && method !== "HEAD" && csrf) {
    headers["X-CSRF-Token"] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body, credentials: "same-origin", signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, fallbackMessage(0));
  }
  if (!response.ok) {
    let detail: unknown;
    try {
      const data: unknown = await response.json();
      detail = data && typeof data === "object" && "detail" in data ? (data as { detail: unknown }).detail : data;
    } catch {
      detail = undefined;
    }
    if (response.status === 401 && !opts.quiet401) {
      unauthorizedListeners.forEach((listener) => listener());
    }
    const message =
      response.status === 401 && !opts.quiet401
        ? fallbackMessage(401)
        : describeDetail(detail) ?? fallbackMessage(response.status);
    throw new ApiError(response.status, message, detail);
  }
  if (opts.raw) return response as unknown as T;
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

function qs(params: Record<string, string | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}

const enc = encodeURIComponent;

// ---------------------------------------------------------------- endpoints

export const api = {
  // auth
  async login(username: string, password: string): Promise<AuthState> {
    const state = await request<AuthState>("/api/auth/login", {
      method: "POST",
      body: { username, password },
      quiet401: true,
    });
    setCsrfToken(state.csrf_token);
    return state;
  },
  async logout(): Promise<void> {
    try {
      await request<void>("/api/auth/logout", { method: "POST", quiet401: true });
    } finally {
      setCsrfToken(null);
    }
  },
  async me(): Promise<AuthState> {
    const state = await request<AuthState>("/api/auth/me", { quiet401: true });
    setCsrfToken(state.csrf_token);
    return state;
  },

  health: (signal?: AbortSignal) => request<Health>("/api/health", { signal, quiet401: true }),

  // cases
  listCases: (params: { q?: string; status?: string } = {}, signal?: AbortSignal) =>
    request<CaseSummary[]>(`/api/cases${qs(params)}`, { signal }),
  getCase: (id: string, signal?: AbortSignal) => request<CaseDetail>(`/api/cases/${enc(id)}`, { signal }),
  createCase: (input: CaseInput) => request<CaseSummary>("/api/cases", { method: "POST", body: input }),
  updateCase: (id: string, input: CaseUpdate) =>
    request<CaseSummary>(`/api/cases/${enc(id)}`, { method: "PATCH", body: input }),
  exportUrl: (id: string, purpose: ExportPurpose) => `/api/cases/${enc(id)}/export?purpose=${enc(purpose)}`,

  // witnesses + descriptions
  createWitness: (caseId: string, input: { name: string; contact?: string | null }) =>
    request<Witness>(`/api/cases/${enc(caseId)}/witnesses`, { method: "POST", body: input }),
  getWitness: (id: string, signal?: AbortSignal) => request<Witness>(`/api/witnesses/${enc(id)}`, { signal }),
  updateWitness: (id: string, input: WitnessUpdate) =>
    request<Witness>(`/api/witnesses/${enc(id)}`, { method: "PATCH", body: input }),
  createDescription: (witnessId: string, input: { text: string; attributes: Attributes }) =>
    request<Description>(`/api/witnesses/${enc(witnessId)}/descriptions`, { method: "POST", body: input }),
  previewPrompt: (input: { text: string; attributes: Attributes }, signal?: AbortSignal) =>
    request<PromptPreview>("/api/prompts/preview", { method: "POST", body: input, signal }),
  /** The prompt a working description builds (the next round's, before it is drawn). */
  previewWorking: (working: Schemas["Working"], signal?: AbortSignal) =>
    request<PromptPreview>("/api/prompts/preview", { method: "POST", body: { working }, signal }),
  /** Suggested edits to the working description from the witness's words; changes nothing. */
  suggestEdits: (sessionId: string, feedback: string, signal?: AbortSignal) =>
    request<Schemas["SuggestionsOut"]>(`/api/sessions/${enc(sessionId)}/suggestions`, { method: "POST", body: { feedback }, signal }),

  // sessions
  createSession: (input: SessionCreate) => request<Session>("/api/sessions", { method: "POST", body: input }),
  getSession: (id: string, signal?: AbortSignal) => request<Session>(`/api/sessions/${enc(id)}`, { signal }),
  nextRound: (sessionId: string, input: RoundCreate) =>
    request<Session>(`/api/sessions/${enc(sessionId)}/rounds`, { method: "POST", body: input }),
  /** `statement`: the witness's words about the likeness, verbatim; `confidence`: theirs, 0–10. */
  approve: (sessionId: string, candidateId: string, statement: string, confidence: number) =>
    request<Session>(`/api/sessions/${enc(sessionId)}/approve`, {
      method: "POST",
      body: { candidate_id: candidateId, statement, confidence },
    }),
  markShown: (sessionId: string, candidateId: string) =>
    request<void>(`/api/sessions/${enc(sessionId)}/candidates/${enc(candidateId)}/shown`, { method: "POST" }),

  uploadMask: (caseId: string, png: Blob) => {
    const form = new FormData();
    form.append("file", png, "mask.png");
    form.append("kind", "mask");
    return request<Upload>(`/api/cases/${enc(caseId)}/uploads`, { method: "POST", form });
  },
  /** The case's reference uploads, newest first, each with the other witness's face it matches (if any). */
  listUploads: (caseId: string, signal?: AbortSignal) => request<ReferenceUpload[]>(`/api/cases/${enc(caseId)}/uploads`, { signal }),
  /** A sketch or photo for the first round to start from (PNG, JPEG or WebP; re-encoded by the server). */
  uploadReference: (caseId: string, file: File) => {
    const form = new FormData();
    form.append("file", file, file.name || "reference");
    form.append("kind", "reference");
    return request<Upload>(`/api/cases/${enc(caseId)}/uploads`, { method: "POST", form });
  },

  // witness links (the artist's side)
  createWitnessLink: (sessionId: string, minutes: number) =>
    request<WitnessLink>(`/api/sessions/${enc(sessionId)}/witness-link`, { method: "POST", body: { minutes } }),
  revokeWitnessLink: (sessionId: string, linkId: string) =>
    request<void>(`/api/sessions/${enc(sessionId)}/witness-link/${enc(linkId)}`, { method: "DELETE" }),

  // model registry
  getRegistry: (signal?: AbortSignal) => request<Registry>("/api/models", { signal }),

  // jobs
  getJob: (id: string, signal?: AbortSignal) => request<JobProgress>(`/api/jobs/${enc(id)}`, { signal }),
  cancelJob: (id: string) => request<unknown>(`/api/jobs/${enc(id)}/cancel`, { method: "POST" }),
  jobEventsUrl: (id: string) => `/api/jobs/${enc(id)}/events`,

  // admin
  listUsers: (signal?: AbortSignal) => request<User[]>("/api/users", { signal }),
  createUser: (input: { username: string; password: string; role: Role }) =>
    request<User>("/api/users", { method: "POST", body: input }),
  updateUser: (id: string, input: UserUpdate) => request<User>(`/api/users/${enc(id)}`, { method: "PATCH", body: input }),
  listAudit: (params: { case_id?: string } = {}, signal?: AbortSignal) =>
    request<AuditEvent[]>(`/api/audit${qs(params)}`, { signal }),
  /** A page of the trail; the next page's cursor comes in the X-Next-Cursor header. */
  async listAuditPage(params: AuditQuery, signal?: AbortSignal): Promise<AuditPage> {
    const query = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v == null ? undefined : String(v)]));
    const response = await request<Response>(`/api/audit${qs(query)}`, { signal, raw: true });
    const next = Number(response.headers.get("X-Next-Cursor"));
    return { events: (await response.json()) as AuditEvent[], nextCursor: Number.isInteger(next) && next > 0 ? next : null };
  },
  unlockUser: (id: string) => request<User>(`/api/users/${enc(id)}/unlock`, { method: "POST" }),
  verifyAudit: (signal?: AbortSignal) => request<AuditVerify>("/api/audit/verify", { signal }),
  /** Admin: allow `purpose=face-recognition` exports of one case, with the reason on record. */
  enableFaceRecognition: (caseId: string, reason: string) =>
    request<Schemas["FaceRecognitionOut"]>(`/api/cases/${enc(caseId)}/face-recognition`, { method: "POST", body: { reason } }),
  /** Admin: let a reference that matched another witness's composite through, with the reason on record. */
  releaseUpload: (caseId: string, uploadId: string, reason: string) =>
    request<Schemas["ReleaseOut"]>(`/api/cases/${enc(caseId)}/uploads/${enc(uploadId)}/release`, { method: "POST", body: { reason } }),
};

export type Api = typeof api;

/**
 * The witness device's side of a witness link. It has no user session: the
 * link's one-time token is traded for a cookie scoped to /api/witness, and the
 * view carries its own CSRF token. A 401 here means the link is used up or
 * expired; it never opens the artist's "session expired" sign-in dialog.
 */
export const witnessApi = {
  exchange: (token: string) =>
    request<WitnessView>("/api/witness/exchange", { method: "POST", body: { token }, quiet401: true, csrf: null }),
  session: (signal?: AbortSignal) => request<WitnessView>("/api/witness/session", { signal, quiet401: true }),
  shown: (csrf: string, candidateId: string) =>
    request<void>("/api/witness/shown", { method: "POST", body: { candidate_id: candidateId }, quiet401: true, csrf }),
  pick: (csrf: string, input: WitnessPick) =>
    request<WitnessView>("/api/witness/rounds", { method: "POST", body: input, quiet401: true, csrf }),
};
