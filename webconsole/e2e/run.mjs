// End-to-end test of the web console: a real node from the distribution zip (bin/karaf server, its own data and
// config directories, free loopback ports, libvirt's test driver on its own file), driven through Debian's
// Chromium by playwright-core. Then the same node restarted on the system libvirtd (QEMU) for the VM console:
// the tiny test guest of bundles/hypervisor-libvirt prints on its VGA screen, seen through noVNC in the page.
// Usage: node e2e/run.mjs <distribution.zip> [screenshot dir]
// Prints one line per check and the measured figures; exits 1 at the first failed check.
import { chromium } from 'playwright-core';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync, rmSync, copyFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const zip = resolve(process.argv[2] ?? '');
const shots = resolve(process.argv[3] ?? 'target/e2e-shots');
const PASSWORD = 'correct horse battery';
const BOOT_MS = 180_000;
const WAIT_MS = 30_000;
if (!existsSync(zip)) { console.error(`usage: node e2e/run.mjs <distribution.zip> [shots dir]; no ${zip}`); process.exit(2); }
mkdirSync(shots, { recursive: true });

const freePort = () => new Promise((ok) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); }); });
const work = mkdtempSync(join(tmpdir(), 'qxwebconsole-'));
execFileSync('unzip', ['-q', zip, '-d', join(work, 'dist')]);
const node = join(work, 'dist', readdirSync(join(work, 'dist'))[0]);
const [rest, grpc] = [await freePort(), await freePort()];
writeFileSync(join(node, 'etc/io.quantix.rest.cfg'), `port=${rest}\nhost=127.0.0.1\n`);
writeFileSync(join(node, 'etc/io.quantix.grpc.cfg'), `port=${grpc}\nhost=127.0.0.1\n`);
writeFileSync(join(node, 'etc/io.quantix.hypervisor.libvirt.cfg'), `uri = test://${join(work, 'data', 'libvirt-test-node.xml')}\n`);
const base = `https://127.0.0.1:${rest}`;
const startNode = () => spawn(join(node, 'bin/karaf'), ['server'], {
  env: { ...process.env, QUANTIX_DATA_DIR: join(work, 'data'), QUANTIX_CONFIG_DIR: join(work, 'config') },
  stdio: 'ignore', detached: true,
});
async function stopNode(karaf) {
  try { process.kill(-karaf.pid, 'SIGTERM'); } catch { /* gone */ }
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    try { process.kill(-karaf.pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 250));
  }
  try { process.kill(-karaf.pid, 'SIGKILL'); } catch { /* gone */ }
}
let karaf = startNode();
// the node's certificate is its own self-signed one: trust it for this process's API calls only
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let browser;
let page;
let failed = false;
/** The page's own errors and warnings: printed when a check fails, to say why. */
const pageErrors = [];
function check(condition, what) {
  if (!condition) throw new Error(`FAILED: ${what}`);
  console.log(`ok - ${what}`);
}
async function until(what, test, ms = WAIT_MS, every = 250) {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await test()) return; } catch { /* not yet */ }
    if (Date.now() > end) throw new Error(`FAILED: waited ${ms} ms for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
const api = (path, init = {}) => fetch(base + '/api/v1' + path, init);

try {
  await until(`the node answering /health on port ${rest}`, async () => (await api('/health')).ok, BOOT_MS);
  check((await api('/setup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).status === 201, 'admin account set up');
  const token = (await (await api('/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).json()).token;
  const bearer = { Authorization: `Bearer ${token}` };
  await until('the node listing the default pool', async () => (await (await api('/pools', { headers: bearer })).json()).items.some((p) => p.status === 'AVAILABLE'), BOOT_MS);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--ignore-certificate-errors'],
  });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1366, height: 800 } });
  page = await context.newPage();
  const cspViolations = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/.test(m.text())) cspViolations.push(m.text());
    if (m.type() === 'error' || m.type() === 'warning') pageErrors.push(`${m.type()}: ${m.text()}`);
  });

  // login: a wrong password shows the API's error and nothing else
  await page.goto(base + '/');
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit]');
  const alert = page.locator('[role=alert]');
  await alert.waitFor({ timeout: WAIT_MS });
  const alertText = await alert.textContent();
  check(alertText === 'wrong user name or password' && (await page.locator('nav').count()) === 0, `a wrong password shows the API's error ("${alertText}") and no console`);
  await page.screenshot({ path: join(shots, '01-login-error.png') });

  // login, then the dashboard: measure from navigation to the host's identity on screen
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.locator('[data-testid=host-identity]').waitFor({ timeout: WAIT_MS });
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'qx_session');
  check(session && session.httpOnly && session.secure && session.sameSite === 'Strict', 'the session cookie is HttpOnly, Secure, SameSite=Strict');
  check(await page.evaluate(() => window.localStorage.length === 0 && window.sessionStorage.length === 0), 'nothing is kept in localStorage or sessionStorage');
  const timings = [];
  for (let i = 0; i < 5; i++) {
    const t0 = Date.now();
    await page.goto(base + '/');
    await page.locator('[data-testid=host-identity]').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid=backends] li').first().waitFor({ timeout: WAIT_MS });
    timings.push(Date.now() - t0);
  }
  console.log(`measure - dashboard data after navigation (reload, session restored from the cookie), 5 runs: ${timings.join(', ')} ms; median ${[...timings].sort((a, b) => a - b)[2]} ms`);
  await page.locator('text=SIMULATED').first().waitFor({ timeout: WAIT_MS });
  check(true, 'the dashboard shows the simulated backend as SIMULATED');
  await page.screenshot({ path: join(shots, '02-dashboard.png'), fullPage: true });
  const js = await page.evaluate(() => performance.getEntriesByType('resource').filter((r) => r.initiatorType === 'script' || r.name.endsWith('.js')).map((r) => ({ name: r.name, transfer: r.transferSize, encoded: r.encodedBodySize })));
  console.log(`measure - JavaScript loaded by the dashboard (bytes on the wire, gzip from the node): ${js.map((r) => `${r.name.split('/').pop()} ${r.encoded}`).join(', ')}`);

  // create a VM through the wizard and see it in the table
  await page.click('nav >> text=Virtual machines');
  await page.click('text=Create VM');
  await page.fill('input[name=vm-name]', 'e2e-web1');
  await page.click('button:has-text("Next")');
  await page.selectOption('select[name=pool]', { index: 1 });
  await page.screenshot({ path: join(shots, '03-wizard.png') });
  await page.click('button:has-text("Next")');
  await page.click('button:has-text("Next")');
  await page.click('[role=dialog] button:has-text("Create")');
  const row = page.locator('tr[data-vm="e2e-web1"]');
  await row.waitFor({ timeout: WAIT_MS });
  check((await row.locator('[data-testid=state-badge]').textContent()) === 'STOPPED', 'the VM made by the wizard is in the table, STOPPED');
  const vm = await (await api('/vms/e2e-web1', { headers: bearer })).json();
  check(vm.spec.disks.length === 1, 'the wizard made it with its new disk');

  // a power action: the badge changes from the event stream, without a reload
  await page.evaluate(() => { window.__noReload = true; });
  await page.click('button[aria-label="Start e2e-web1"]');
  await until('the badge to show RUNNING', async () => (await row.locator('[data-testid=state-badge]').textContent()) === 'RUNNING');
  check(await page.evaluate(() => window.__noReload === true), 'START turned the badge RUNNING without a reload');
  // the console of a running VM: the simulated node has none, and the page says so with the API's own error
  await page.click('button[aria-label="Console e2e-web1"]');
  const consoleToast = page.locator('[data-sonner-toast]:has-text("UNSUPPORTED")');
  await consoleToast.waitFor({ timeout: WAIT_MS });
  await until('the console dialog to show disconnected', async () => (await page.locator('[data-testid=console-status]').textContent()) === 'disconnected');
  check(/CONSOLE/.test((await consoleToast.textContent()) ?? ''), `the console of a VM on the simulated node shows the API's refusal ("${await consoleToast.textContent()}")`);
  await page.screenshot({ path: join(shots, '04a-console-unsupported.png') });
  await page.click('button[aria-label="Close console"]');
  // a change made elsewhere (the API, as another client) reaches the page only through the event stream
  const paused = await api('/vms/e2e-web1/power', { method: 'POST', headers: { ...bearer, 'Content-Type': 'application/json' }, body: JSON.stringify({ action: 'PAUSE' }) });
  check(paused.ok, `the API paused the VM (HTTP ${paused.status}${paused.ok ? '' : `: ${await paused.text()}`})`);
  await until('the badge to show PAUSED', async () => (await row.locator('[data-testid=state-badge]').textContent()) === 'PAUSED');
  check(await page.evaluate(() => window.__noReload === true), 'a PAUSE by another client turned the badge PAUSED from the event stream, without a reload');
  await page.screenshot({ path: join(shots, '04-vms.png'), fullPage: true });

  // a destructive action asks first
  await page.click('button[aria-label="Force stop e2e-web1"]');
  await page.locator('[role=dialog]:has-text("unsaved data")').waitFor({ timeout: WAIT_MS });
  await page.screenshot({ path: join(shots, '05-confirm-force-stop.png') });
  await page.click('[role=dialog] button:has-text("Force stop")');
  await until('the badge to show STOPPED', async () => (await row.locator('[data-testid=state-badge]').textContent()) === 'STOPPED');
  check(true, 'force stop after the confirmation turned the badge STOPPED');

  // a duplicate name: the API's error text in a toast, nothing created
  const before = (await (await api('/vms', { headers: bearer })).json()).total;
  await page.click('text=Create VM');
  await page.fill('input[name=vm-name]', 'e2e-web1');
  for (let i = 0; i < 3; i++) await page.click('button:has-text("Next")');
  await page.click('[role=dialog] button:has-text("Create")');
  const toast = page.locator('[data-sonner-toast]:has-text("ALREADY_EXISTS")');
  await toast.waitFor({ timeout: WAIT_MS });
  const toastText = await toast.textContent();
  const after = (await (await api('/vms', { headers: bearer })).json()).total;
  check(/e2e-web1/.test(toastText ?? '') && after === before, `a duplicate name shows the API's error in a toast ("${toastText}") and creates nothing (${before} VMs before and after)`);
  await page.screenshot({ path: join(shots, '06-duplicate-toast.png') });
  await page.click('[role=dialog] button:has-text("Cancel")');

  // a write with the cookie but without the CSRF token is refused
  const refused = await page.evaluate(async () => {
    const r = await fetch('/api/v1/vms', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'e2e-csrf' }) });
    return { status: r.status, body: await r.json() };
  });
  const csrfVm = await api('/vms/e2e-csrf', { headers: bearer });
  check(refused.status === 403 && refused.body.code === 'PERMISSION_DENIED' && csrfVm.status === 404, `a write without the CSRF token is refused (403 ${refused.body.code}) and creates nothing`);

  await page.click('nav >> text=Storage');
  await page.locator('td:has-text("AVAILABLE")').first().waitFor({ timeout: WAIT_MS });
  await page.screenshot({ path: join(shots, '07-storage.png') });
  await page.click('nav >> text=Networking');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(shots, '08-networks.png') });
  check(cspViolations.length <= 1, `CSP violations in the console: ${cspViolations.length} (${cspViolations.join(' | ').slice(0, 300)})`);

  await page.click('button:has-text("Log out")');
  await page.locator('input[name=password]').waitFor({ timeout: WAIT_MS });
  check(!(await context.cookies()).some((c) => c.name === 'qx_session' && c.value), 'log out drops the session cookie');

  // the VM console on real QEMU: the same node on the system libvirtd, a tiny guest that prints on its screen
  const guest = resolve('target/tiny-guest');
  execFileSync('sh', [resolve('../bundles/hypervisor-libvirt/src/test/sh/libvirt-env.sh'), guest], { stdio: 'ignore', timeout: 15 * 60_000 });
  await stopNode(karaf);
  writeFileSync(join(node, 'etc/io.quantix.hypervisor.libvirt.cfg'), 'uri = qemu:///system\n');
  writeFileSync(join(node, 'etc/io.quantix.edge.cfg'), `allowedRoots = ${guest}\n`);
  karaf = startNode();
  await until(`the node on qemu:///system answering /health`, async () => (await api('/health')).ok, BOOT_MS);
  const login = await (await api('/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) })).json();
  const qemu = { Authorization: `Bearer ${login.token}`, 'Content-Type': 'application/json' };
  await until('the libvirt backend on QEMU', async () => (await (await api('/node', { headers: qemu })).json()).backends.some((b) => b.name === 'libvirt' && !b.simulated), BOOT_MS);
  const made = await api('/vms', { method: 'POST', headers: qemu, body: JSON.stringify({ name: 'e2e-screen', hypervisor: 'libvirt', vcpus: 1, memoryMiB: 192,
    directBoot: { kernel: join(guest, 'vmlinuz'), initrd: join(guest, 'initrd.gz'), cmdline: 'console=ttyS0 console=tty0 panic=-1 no_timer_check quantix.screen=ticks' } }) });
  check(made.status === 201, `a direct-boot QEMU guest was defined (HTTP ${made.status}${made.ok ? '' : `: ${await made.text()}`})`);
  const started = await api('/vms/e2e-screen/power', { method: 'POST', headers: qemu, body: JSON.stringify({ action: 'START' }) });
  check(started.ok, `the QEMU guest started (HTTP ${started.status})`);
  await page.goto(base + '/');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.click('nav >> text=Virtual machines');
  await page.click('button[aria-label="Console e2e-screen"]');
  await until('the console to connect', async () => (await page.locator('[data-testid=console-status]').textContent()) === 'connected');
  // what the browser drew: how many pixels are not black, and a digest of the whole screen
  const screen = () => page.evaluate(() => {
    const canvas = document.querySelector('[data-testid=console-screen] canvas');
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let lit = 0, digest = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] + data[i + 1] + data[i + 2] > 60) lit++;
      digest = (digest * 31 + data[i] + data[i + 1] * 7 + data[i + 2] * 13) | 0;
    }
    return { width: canvas.width, height: canvas.height, lit, digest };
  });
  let first;
  await until('the guest\'s screen to show text', async () => { first = await screen(); return first.lit > 200; }, 120_000, 1000);
  check(first.width > 0 && first.lit > 200, `the console shows the guest's screen (${first.width}x${first.height}, ${first.lit} lit pixels)`);
  let later;
  await until('the guest\'s screen to change as it prints', async () => { later = await screen(); return later.digest !== first.digest; }, WAIT_MS, 1000);
  check(true, `the screen changes as the guest prints (digest ${first.digest} then ${later.digest})`);
  await page.screenshot({ path: join(shots, '09-vm-console.png') });
  await page.click('button[aria-label="Close console"]');
  await api('/vms/e2e-screen/power', { method: 'POST', headers: qemu, body: JSON.stringify({ action: 'FORCE_STOP' }) });
  const gone = await api('/vms/e2e-screen', { method: 'DELETE', headers: qemu });
  check(gone.status === 204, `the QEMU guest is deleted (HTTP ${gone.status})`);
} catch (e) {
  failed = true;
  console.error(e.message ?? e);
  if (pageErrors.length) console.error(`the page's last errors and warnings:\n  ${pageErrors.slice(-10).join('\n  ')}`);
  if (page) await page.screenshot({ path: join(shots, 'failure.png') }).catch(() => {});
} finally {
  if (browser) await browser.close();
  // a guest left by a failed run would outlive the node in the system libvirtd
  try { execFileSync('virsh', ['-c', 'qemu:///system', 'destroy', 'e2e-screen'], { stdio: 'ignore' }); } catch { /* not there */ }
  try { execFileSync('virsh', ['-c', 'qemu:///system', 'undefine', 'e2e-screen'], { stdio: 'ignore' }); } catch { /* not there */ }
  await stopNode(karaf);
  const log = join(node, 'data/log/karaf.log');
  if (existsSync(log)) copyFileSync(log, join(shots, 'karaf.log'));
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
