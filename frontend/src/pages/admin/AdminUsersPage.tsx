import { useState, type FormEvent } from "react";
import { api, type User, type UserUpdate } from "../../api";
import { useAuth } from "../../auth";
import { useAction, useDocumentTitle, useDraftState, useResource } from "../../hooks";
import { Badge, EmptyState, ErrorNotice, Loading, Notice, PageHeader, TextField } from "../../components/ui";
import { formatDate, formatDateTime } from "../../lib/format";
import { AdminTabs } from "./AdminTabs";

const ROLES = ["artist", "admin"];
/** The server's MIN_LENGTH (app/users/passwords.py), which also refuses common passwords. */
const MIN_PASSWORD = 8;
const shortPassword = (password: string) => password.length < MIN_PASSWORD;
const SHORT_PASSWORD = `Use at least ${MIN_PASSWORD} characters.`;
/** A lockout lifts by itself after 10 minutes (CJIS 5.5.3): the hour and minute say when. */
const clock = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

export function AdminUsersPage() {
  useDocumentTitle("Users");
  const users = useResource((signal) => api.listUsers(signal), "users");
  const { user: me } = useAuth();
  const [form, setForm, discard] = useDraftState("admin:new-user", { username: "", password: "", role: "artist" });
  const [touched, setTouched] = useState(false);
  const create = useAction(async () => {
    const u = await api.createUser({ username: form.username.trim(), password: form.password, role: form.role });
    discard();
    setForm({ username: "", password: "", role: form.role });
    setTouched(false);
    users.reload();
    return u;
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!form.username.trim() || shortPassword(form.password)) return;
    void create.run();
  };
  return (
    <div className="page">
      <PageHeader title="Administration" subtitle="Users and roles, the model registry, and the audit trail." />
      <AdminTabs />
      <div className="admin-grid admin-grid-wide">
        <section className="panel" aria-labelledby="users-title">
          <h2 id="users-title" className="panel-title">
            Users
          </h2>
          <ErrorNotice error={users.error} title="Could not load users" onRetry={users.reload} />
          {users.loading && !users.data ? (
            <Loading what="users" />
          ) : users.data && users.data.length === 0 ? (
            <EmptyState title="No users" />
          ) : (
            users.data && (
              <div className="table-scroll">
                <table className="table users-table">
                  <thead>
                    <tr>
                      <th>Username</th>
                      <th>Role</th>
                      <th>Status</th>
                      <th>Created</th>
                      <th>
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {users.data.map((u) => (
                      <UserRow
                        key={u.id}
                        user={u}
                        isSelf={me?.id === u.id}
                        onSaved={(saved) => users.setData((list) => list?.map((x) => (x.id === saved.id ? { ...x, ...saved } : x)))}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )
          )}
        </section>
        <section className="panel" aria-labelledby="new-user-title">
          <h2 id="new-user-title" className="panel-title">
            Add a user
          </h2>
          <form className="stack" onSubmit={submit} noValidate aria-label="Add a user">
            <ErrorNotice error={create.error} title="The user was not created" onDismiss={create.clearError} compact />
            <TextField
              label="New username"
              value={form.username}
              onChange={(username) => setForm((f) => ({ ...f, username }))}
              autoComplete="off"
              error={touched && !form.username.trim() ? "Choose a username." : null}
            />
            <TextField
              label="Initial password"
              type="password"
              value={form.password}
              onChange={(password) => setForm((f) => ({ ...f, password }))}
              autoComplete="new-password"
              hint={`At least ${MIN_PASSWORD} characters. Share it privately; the user should change it.`}
              error={touched && shortPassword(form.password) ? SHORT_PASSWORD : null}
            />
            <div className="field">
              <label htmlFor="new-user-role">Role</label>
              <select id="new-user-role" value={form.role} onChange={(e) => setForm((f) => ({ ...f, role: e.target.value }))}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
              <span className="field-hint">Artists run interviews and sessions; admins also manage users and review audits.</span>
            </div>
            <div className="form-actions">
              <button type="submit" className="btn btn-primary" disabled={create.pending}>
                {create.pending ? "Creating…" : "Create user"}
              </button>
            </div>
          </form>
        </section>
      </div>
    </div>
  );
}

const USER_COLUMNS = 5;

/**
 * One user: role, active and a password reset, each saved at once with PATCH
 * /api/users/{id}. The row shows the server's copy, so a refused change (the
 * last active admin, a weak password) leaves it as it was, with the reason.
 */
function UserRow({ user, isSelf, onSaved }: { user: User; isSelf: boolean; onSaved: (user: User) => void }) {
  const [failed, setFailed] = useState("The change was not saved");
  const [resetting, setResetting] = useState(false);
  const [password, setPassword] = useState("");
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  // `null`: lift a sign-in lockout (POST /unlock) instead of a PATCH.
  const update = useAction(async (input: UserUpdate | null, what: string) => {
    setFailed(what);
    setDone(null);
    const saved = input ? await api.updateUser(user.id, input) : await api.unlockUser(user.id);
    onSaved(saved);
    return saved;
  });
  const active = user.active !== false;
  const name = user.username;
  const passwordError = touched && shortPassword(password) ? SHORT_PASSWORD : null;

  const savePassword = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (shortPassword(password)) return;
    const saved = await update.run({ password }, `The password of ${name} was not changed`);
    if (saved) {
      setPassword("");
      setTouched(false);
      setResetting(false);
      setDone(`Password changed. ${name} is signed out everywhere and signs in with the new password.`);
    }
  };
  const cancelReset = () => {
    setResetting(false);
    setPassword("");
    setTouched(false);
    update.clearError();
  };

  return (
    <>
      <tr className={active ? undefined : "user-inactive"}>
        <td>
          {name}
          {isSelf && <span className="muted small"> (you)</span>}
          {user.locked && (
            <>
              {" "}
              <Badge tone="warning" title={user.locked_until ? `Locked until ${formatDateTime(user.locked_until)}` : undefined}>
                {user.locked_until ? `locked until ${clock(user.locked_until)}` : "locked"}
              </Badge>{" "}
              <button
                type="button"
                className="btn btn-small"
                disabled={update.pending}
                aria-label={`Unlock ${name}`}
                onClick={() => void update.run(null, `${name} was not unlocked`)}
              >
                Unlock
              </button>
            </>
          )}
        </td>
        <td>
          <select
            aria-label={`Role of ${name}`}
            value={user.role}
            disabled={update.pending}
            onChange={(e) => {
              const role = e.target.value as "admin" | "artist";
              void update.run({ role }, `The role of ${name} was not changed`);
            }}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </td>
        <td className="nowrap">
          <Badge tone={active ? "success" : "neutral"}>{active ? "Active" : "Inactive"}</Badge>{" "}
          <button
            type="button"
            className={`btn btn-small${active ? " btn-danger-quiet" : ""}`}
            disabled={update.pending}
            aria-label={`${active ? "Deactivate" : "Reactivate"} ${name}`}
            onClick={() => void update.run({ active: !active }, `${name} was not ${active ? "deactivated" : "reactivated"}`)}
          >
            {active ? "Deactivate" : "Reactivate"}
          </button>
        </td>
        <td className="muted">{user.created_at ? formatDate(user.created_at) : "—"}</td>
        <td className="nowrap">
          {!resetting && (
            <button
              type="button"
              className="btn btn-small"
              aria-label={`Reset password of ${name}`}
              onClick={() => {
                setResetting(true);
                setDone(null);
                update.clearError();
              }}
            >
              Reset password
            </button>
          )}
        </td>
      </tr>
      {(resetting || update.error || done) && (
        <tr className="user-row-extra">
          <td colSpan={USER_COLUMNS}>
            <ErrorNotice error={update.error} title={failed} onDismiss={update.clearError} compact />
            {done && <Notice kind="success">{done}</Notice>}
            {resetting && (
              <form className="user-reset" onSubmit={(e) => void savePassword(e)} noValidate aria-label={`Reset password of ${name}`}>
                <TextField
                  label={`New password for ${name}`}
                  type="password"
                  value={password}
                  onChange={setPassword}
                  autoComplete="new-password"
                  autoFocus
                  hint={`At least ${MIN_PASSWORD} characters. Saving signs this user out everywhere.`}
                  error={passwordError}
                />
                <div className="form-actions">
                  <button type="submit" className="btn btn-primary btn-small" disabled={update.pending}>
                    {update.pending ? "Saving…" : "Save"}
                  </button>
                  <button type="button" className="btn btn-quiet btn-small" onClick={cancelReset}>
                    Cancel
                  </button>
                </div>
              </form>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

// ---------------------------------------------------------------- models
