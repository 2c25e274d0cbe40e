/**
 * SCRAM-SHA-256 password verifiers, computed here so that a plaintext password never travels in a
 * SQL statement (where a failing statement could land it in the server log). PostgreSQL stores a
 * verifier passed to `PASSWORD '...'` as it is.
 */
import * as crypto from "crypto";

/** Returns `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` for `password`. */
export function scramVerifier(password: string, iterations = 4096, salt: Buffer = crypto.randomBytes(16)): string {
  const salted = crypto.pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const clientKey = crypto.createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = crypto.createHash("sha256").update(clientKey).digest();
  const serverKey = crypto.createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
