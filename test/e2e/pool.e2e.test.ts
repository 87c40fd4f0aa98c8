// The whole product in a browser: `npm start` on free ports, Debian Chromium, the demo users.
// One stack for the file; the steps build on each other in order (warm assign, cold assign,
// release, view logs, a VM's agent killed, producer view), so they share one `describe`.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, launchChromium, PRODUCER_EMAIL, screenshot, signedInPage } from './browser';
import { removeDataDir, startLocalStack, type LocalStack } from './local-stack';

const WARM = 'State Championships';
const WARM_ID = 'state-champs-w-2026';
const SECOND = 'Winter Invitational';
const COLD = 'Elite Qualifier';
const COLD_ID = 'elite-qualifier-w-2027';
const PRODUCER_COMPETITIONS = [WARM, SECOND];
const OTHER_COMPETITIONS = [COLD, 'College Dual Meet'];

const competitionCard = (page: Page, name: string) =>
  page.getByRole('article', { name: `Competition ${name}` });

/** The VM id in a competition card's badge ("vm-002 · In use"). */
async function assignedVm(page: Page, name: string): Promise<string> {
  const text = await competitionCard(page, name)
    .getByText(/vm-\d{3}/)
    .first()
    .textContent();
  const match = /vm-\d{3}/.exec(text ?? '');
  if (!match) throw new Error(`no VM shown for ${name}: ${text}`);
  return match[0];
}

describe('vmpool in a browser over npm start', { timeout: 180_000 }, () => {
  let stack: LocalStack;
  let browser: Browser;
  let admin: Page;

  beforeAll(async () => {
    stack = await startLocalStack({ bootDelayMs: 15_000, readyTimeoutMs: 360_000 });
    browser = await launchChromium();
    admin = await signedInPage(browser, stack.webUrl, ADMIN_EMAIL);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    if (stack) {
      const stoppedCleanly = await stack.stop();
      const leftovers = await stack.leftovers();
      await removeDataDir(stack);
      expect(stoppedCleanly).toBe(true);
      expect(leftovers).toEqual([]);
    }
  }, 90_000);

  it('shows the seeded pool to an admin: two warm VMs and three stopped ones', async () => {
    await admin
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'VM pool' })
      .click();
    const grid = admin.getByRole('region', { name: 'VMs' });
    for (const vmId of ['vm-001', 'vm-002', 'vm-003', 'vm-004', 'vm-005'])
      await expect
        .poll(() => grid.getByRole('article', { name: `VM ${vmId}` }).count(), { timeout: 60_000 })
        .toBe(1);
    const counts = admin.getByRole('list', { name: 'VMs per status' });
    await counts.getByLabel('Available: 2').waitFor({ timeout: 60_000 });
    await counts.getByLabel('Stopped: 3').waitFor();
    await screenshot(admin, '01-admin-pool');
  });

  it('assigns a warm VM and sees it ready', async () => {
    await admin
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Competitions' })
      .click();
    const card = competitionCard(admin, WARM);
    await card.getByRole('button', { name: 'Assign VM' }).click();
    await card.getByText(/Show server at 127\.\d+\.\d+\.\d+:3003/).waitFor({ timeout: 60_000 });
    await expect.poll(() => card.getByRole('link', { name: 'Producer' }).count()).toBe(1);
    await screenshot(admin, '02-warm-assigned');
  });

  it('assigns a cold VM and follows its progress until ready', async () => {
    // The second warm VM goes to another show, so the next assignment needs a cold start.
    const second = competitionCard(admin, SECOND);
    await second.getByRole('button', { name: 'Assign VM' }).click();
    await second.getByText(/Show server at/).waitFor({ timeout: 60_000 });

    const cold = competitionCard(admin, COLD);
    await cold.getByRole('button', { name: 'Assign VM' }).click();
    // While the VM boots: a progress bar part-way, the steps, an estimate, and no address yet.
    const progress = cold.getByRole('progressbar');
    await expect
      .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBeLessThan(100);
    await cold.getByText(/ready in about/).waitFor({ timeout: 30_000 });
    expect(await cold.getByRole('list', { name: /steps$/ }).textContent()).toMatch(
      /Wait for agent/,
    );
    expect(await cold.getByText(/Show server at/).count()).toBe(0);
    await screenshot(admin, '03-cold-in-progress');
    await cold.getByText(/Show server at 127\.\d+\.\d+\.\d+:3003/).waitFor({ timeout: 120_000 });
    await screenshot(admin, '04-cold-ready');
  });

  it('releases a VM', async () => {
    const card = competitionCard(admin, WARM);
    await card.getByRole('button', { name: 'Release VM' }).click();
    await card.getByText('No VM', { exact: true }).waitFor({ timeout: 90_000 });
    await expect.poll(() => card.getByText(/Show server at/).count()).toBe(0);
    await screenshot(admin, '05-released');
  });

  it('runs "view logs" on a VM and reads its output', async () => {
    await admin.goto(`/${COLD_ID}/vm-setup`);
    const actions = admin.getByRole('region', { name: /Command console for vm-/ });
    await actions.getByRole('button', { name: 'View logs' }).click();
    const output = admin.getByRole('log', { name: /Command output for vm-/ });
    await expect.poll(() => output.textContent(), { timeout: 60_000 }).toMatch(/succeeded/);
    expect(await output.textContent()).toMatch(/show-server/);
    await screenshot(admin, '06-view-logs');
  });

  it("shows the VM's live preview and stream health on its VM setup page", async () => {
    // Still on the cold competition's VM setup page: its panel registered a watcher.
    const panel = admin.getByRole('region', { name: 'Program and stream' });
    const vmId = /vm-\d{3}/.exec((await panel.textContent()) ?? '')?.[0];
    if (vmId === undefined) throw new Error('no VM id on the stream panel');
    const response = await fetch(`${stack.controlUrl}/__local/vms/${vmId}/obs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streaming: true }),
    });
    expect(response.status).toBe(200);
    const preview = panel.getByRole('img', { name: /^Program output/ });
    await preview.waitFor({ timeout: 60_000 });
    expect(await preview.getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    expect(
      await preview.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await expect
      .poll(() => panel.getByText(/captured (just now|\d+s ago)/).count(), { timeout: 30_000 })
      .toBe(1);
    const health = panel.getByRole('status', { name: 'Stream health' });
    await expect
      .poll(() => health.textContent(), { timeout: 60_000 })
      .toMatch(/^Live · [\d,]+ kbit\/s · \d+\.\d% dropped · \d+:\d{2}/);
    await screenshot(admin, '06b-stream-preview');
  });

  it('raises a critical alert when a VM agent dies, and lets the admin acknowledge it', async () => {
    await admin.goto('/');
    const vmId = await assignedVm(admin, SECOND);
    await admin.getByRole('button', { name: /^Alerts/ }).click();
    const alertItem = admin.getByRole('listitem', {
      name: new RegExp(`^critical alert: .*${vmId}`),
    });
    expect(await alertItem.count()).toBe(0);

    const killed = await stack.killAgent(vmId);
    expect(killed.killed).toBe(true);
    await alertItem.waitFor({ timeout: 120_000 });
    const banner = admin.getByRole('alert', { name: 'Critical alert' });
    await banner.waitFor();
    await screenshot(admin, '07-critical-alert');

    await alertItem.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => alertItem.textContent(), { timeout: 30_000 }).toMatch(/acknowledged/);
    expect(await alertItem.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    await expect
      .poll(async () => ((await banner.count()) === 0 ? '' : await banner.textContent()))
      .not.toContain(`${vmId} unreachable`);
    await screenshot(admin, '08-alert-acknowledged');
  });

  it('shows a producer only their competitions and no admin actions', async () => {
    const producer = await signedInPage(browser, stack.webUrl, PRODUCER_EMAIL);
    const list = producer.getByRole('region', { name: 'Competitions' });
    for (const name of PRODUCER_COMPETITIONS)
      await competitionCard(producer, name).waitFor({ timeout: 30_000 });
    for (const name of OTHER_COMPETITIONS)
      expect(await competitionCard(producer, name).count()).toBe(0);
    expect(await list.getByRole('article').count()).toBe(PRODUCER_COMPETITIONS.length);
    const nav = producer.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'VM pool' }).count()).toBe(0);
    await screenshot(producer, '09-producer-competitions');

    await producer.goto(`/${WARM_ID}/vm-setup`);
    await producer.getByRole('region', { name: 'Assignment' }).waitFor({ timeout: 30_000 });
    expect(await producer.getByRole('region', { name: 'Quick actions' }).count()).toBe(0);
    await producer.goto('/admin/vm-pool');
    await producer.getByText('The VM pool page is for admins.').waitFor({ timeout: 30_000 });
    for (const name of ['Launch new VM', 'Start', 'Stop'])
      expect(await producer.getByRole('button', { name, exact: true }).count()).toBe(0);
    await screenshot(producer, '10-producer-no-admin');
    await producer.context().close();
  });
});
