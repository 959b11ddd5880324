import { useState, type FormEvent } from "react";
import { ApiError } from "../api";
import { ErrorNotice, TextField } from "./ui";

/** Username + password; used by the sign-in page and the session-expired dialog. */
export function SignInForm({
  onSignIn,
  initialUsername = "",
  submitLabel = "Sign in",
}: {
  onSignIn: (username: string, password: string) => Promise<unknown>;
  initialUsername?: string;
  submitLabel?: string;
}) {
  const [username, setUsername] = useState(initialUsername);
  const [password, setPassword] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError("Enter your username and password.");
      return;
    }
    setPending(true);
    setError(null);
    try {
      await onSignIn(username.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400 || err.status === 403)) {
        setError("That username and password do not match. Check them and try again.");
      } else {
        setError(err instanceof ApiError ? err : String(err));
      }
      setPassword("");
    } finally {
      setPending(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate>
      <ErrorNotice error={error} compact />
      <TextField label="Username" value={username} onChange={setUsername} autoComplete="username" autoFocus={!initialUsername} name="username" />
      <TextField label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" autoFocus={!!initialUsername} name="password" />
      <button type="submit" className="btn btn-primary btn-block" disabled={pending}>
        {pending ? "Signing in…" : submitLabel}
      </button>
    </form>
  );
}
