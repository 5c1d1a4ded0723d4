import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { emailRecord, type NotificationRecord } from './records.js';
import type { NotificationStore } from './store.js';

function addressText(a: AddressObject | AddressObject[] | undefined): string {
  if (!a) return '';
  return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

/** An SMTP server that accepts every message and records it. Plain text only:
 * it binds to loopback for Alertmanager on the same machine, and accepts AUTH
 * PLAIN/LOGIN with any credentials so a configured username is exercised too. */
export async function startSmtpSink(opts: {
  host: string;
  port: number;
  store: NotificationStore;
  onRecord?: (r: NotificationRecord) => void;
}): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    name: 'mlmon-notification-sink',
    banner: 'mlmon local notification sink',
    authOptional: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: ['STARTTLS'],
    size: 10 * 1024 * 1024,
    logger: false,
    onAuth(auth, _session, callback) {
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
