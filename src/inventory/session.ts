import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a signed-in browser carries: who it is and the user token GitHub issued (never shown to the page). */
export interface Session {
  login: string;
  /** The OAuth user access token; it stays sealed inside the cookie. */
  token: string;
  /** Random per sign-in; the sign-out form's CSRF token is derived from it. */
  id: string;
  /** Expiry, ms since the epoch. */
  expires: number;
}

export const SESSION_COOKIE = "agent_policy_session";
export const STATE_COOKIE = "agent_policy_oauth_state";
export const SESSION_TTL_MS = 8 * 3_600_000;

/**
 * Seals values into cookies with AES-256-GCM under a key derived from
 * SESSION_SECRET: the browser can neither read nor alter them (the GCM tag
 * is the signature), and a value sealed for one purpose cannot be replayed
 * as another.
 */
export class CookieSealer {
  private readonly key: Buffer;
  private readonly csrfKey: Buffer;

  constructor(secret: string) {
    this.key = createHash("sha256").update(`agent-policy cookie\0${secret}`).digest();
    this.csrfKey = createHash("sha256").update(`agent-policy csrf\0${secret}`).digest();
  }

  seal(purpose: string, value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
  }

  /** The value, or undefined when the cookie was forged, altered, or sealed for another purpose. */
  open<T>(purpose: string, sealed: string | undefined): T | undefined {
    if (!sealed) return undefined;
    try {
      const raw = Buffer.from(sealed, "base64url");
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(raw.subarray(12, 28));
      return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8")) as T;
    } catch {
      return undefined;
    }
  }

  /** The CSRF token of a session's forms: bound to the session, useless to anyone without the cookie. */
  csrfToken(session: Session): string {
    return createHmac("sha256", this.csrfKey).update(session.id).digest("base64url");
  }

  checkCsrf(session: Session, token: string | undefined): boolean {
    if (!token) return false;
    const a = Buffer.from(this.csrfToken(session));
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** A session still in force, or undefined. */
export function openSession(sealer: CookieSealer, cookie: string | undefined, now: number): Session | undefined {
  const session = sealer.open<Session>("session", cookie);
  if (!session || typeof session.login !== "string" || typeof session.token !== "string" || typeof session.id !== "string") return undefined;
  return session.expires > now ? session : undefined;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, scoped to the page's path, Secure when served over HTTPS. */
export function cookieHeader(name: string, value: string, options: { secure: boolean; maxAgeSeconds: number }): string {
  return [
    `${name}=${value}`,
    "Path=/agent-policy",
    "HttpOnly",
    "SameSite=Lax",
    `Max-Age=${options.maxAgeSeconds}`,
    ...(options.secure ? ["Secure"] : []),
  ].join("; ");
}
