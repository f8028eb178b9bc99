/**
 * Certificates for the project's own tests, made with openssl in a folder: a CA, and a server
 * certificate for 127.0.0.1 issued by it. openssl is installed from Debian when missing (as root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export function ensureOpenssl(): void {
  if (spawnSync('openssl', ['version']).status === 0) return;
  if (process.getuid?.() === 0) {
    execFileSync('apt-get', ['install', '-y', 'openssl'], { stdio: 'ignore' });
    return;
  }
  throw new Error('openssl is needed to make the test CA: apt-get install -y openssl');
}

/** A new P-256 key written to `keyFile`, as openssl `req` arguments. */
const newKey = (keyFile: string) => [
  '-newkey',
  'ec',
  '-pkeyopt',
  'ec_paramgen_curve:prime256v1',
  '-nodes',
  '-keyout',
  keyFile,
];

/** `<dir>/<name>.pem` and `<name>.key`: a CA valid for two days. */
export function makeCa(dir: string, name: string): string {
  ensureOpenssl();
  const args = [
    ...newKey(`${name}.key`),
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=golden-path ${name}`,
  ];
  const ca = [
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ];
  execFileSync('openssl', ['req', '-x509', ...args, ...ca], { cwd: dir, stdio: 'pipe' });
  return path.join(dir, `${name}.pem`);
}

/** `<dir>/server.pem` and `server.key`: for 127.0.0.1 and localhost, issued by the CA `ca`. */
export function makeServerCert(dir: string, ca: string): { cert: string; key: string } {
  writeFileSync(
    path.join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', ...newKey('server.key'), '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  const issuer = ['-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial'];
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    ...issuer,
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
  return { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}
