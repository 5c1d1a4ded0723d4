import { simpleParser, type AddressObject } from 'mailparser';
import { createHash, timingSafeEqual } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import type { BasicCredentials } from '../upstream/index.js';
import { emailRecord, type NotificationRecord } from './records.js';
import type { NotificationStore } from './store.js';

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

function same(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** An SMTP server that records every message. Plain text only. With a
 * `login`, a client must AUTH with it before sending (Alertmanager's
 * smtp_auth_username/smtp_auth_password_file); without one, AUTH is optional
 * and any credentials pass, so a configured username is exercised too.
 * LOGIN is offered first: Alertmanager takes the first mechanism the server
 * lists, and its PLAIN refuses to send a password in clear text to anything
 * but localhost (the sink's compose name is not). */
export async function startSmtpSink(opts: {
  host: string;
  port: number;
  store: NotificationStore;
  onRecord?: (r: NotificationRecord) => void;
  login?: BasicCredentials;
}): Promise<{ port: number; close(): Promise<void> }> {
  const login = opts.login;
  const server = new SMTPServer({
    name: 'mlmon-notification-sink',
    banner: 'mlmon local notification sink',
    authOptional: login === undefined,
    allowInsecureAuth: true,
    authMethods: ['LOGIN', 'PLAIN'],
    disabledCommands: ['STARTTLS'],
    size: 10 * 1024 * 1024,
    logger: false,
    onAuth(auth, _session, callback) {
      if (login && !(same(auth.username ?? '', login.username) && same(auth.password ?? '', login.password))) {
        callback(new Error('invalid username or password'));
        return;
      }
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of mail.headers) headers[k] = typeof v === 'string' ? v : JSON.stringify(v);
          const mailFrom = session.envelope.mailFrom;
          const record = await opts.store.append(
            emailRecord({
              envelopeFrom: mailFrom ? mailFrom.address : undefined,
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              authUser: typeof session.user === 'string' ? session.user : undefined,
              subject: mail.subject ?? '',
              from: addressText(mail.from),
              to: addressText(mail.to),
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              headers,
            }),
          );
          opts.onRecord?.(record);
          callback();
        })
        .catch((e: unknown) => callback(e instanceof Error ? e : new Error(String(e))));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
