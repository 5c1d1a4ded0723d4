/** HTTPS to the stack's own programs: when `mlmon up` serves them with a
 * certificate of the operator's (often self-signed), every client of ours in
 * this process trusts it, beside the system's authorities. */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { Agent, setGlobalDispatcher } from 'undici';

let trusted: string | undefined;

/** Makes fetch in this process trust `certFile` (PEM) as well as the usual
 * authorities. Idempotent; the file is read once. */
export function trustCertificate(certFile: string | undefined): void {
  if (!certFile || trusted === certFile) return;
  const pem = readFileSync(certFile, 'utf8');
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, pem] } }));
  trusted = certFile;
}
