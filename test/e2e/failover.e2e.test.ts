// Mid-show failover in a browser (issue 12): a producer watches the VM setup page of a live
// competition when its VM crashes (POST /__local/vms/:vmId/crash); without reloading, the page
// shows the failover's critical alert and the new VM and address.
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { getDatabase, type Database } from 'firebase-admin/database';
import { paths } from '@vmpool/core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, PRODUCER_EMAIL, screenshot, signedInPage } from './browser';
import { removeDataDir, startLocalStack, type LocalStack } from './local-stack';

const COMPETITION = 'state-champs-w-2026';

async function competitionVm(db: Database) {
  return (await db.ref(paths.competitionConfig(COMPETITION)).get()).val() as {
    vmId?: string;
    vmAddress?: string;
  } | null;
}

describe('failover in a browser over npm start', { timeout: 240_000 }, () => {
  let stack: LocalStack;
  let browser: Browser;
  let app: App;
  let db: Database;
  let producer: Page;

  beforeAll(async () => {
    stack = await startLocalStack({
      bootDelayMs: 2_000,
      readyTimeoutMs: 360_000,
      reconcileIntervalMs: 5_000,
    });
    app = initializeApp({ databaseURL: stack.databaseUrl, projectId: 'demo-vmpool' }, 'e2e-fo');
    db = getDatabase(app);
    await db.ref(paths.poolConfig()).update({ failoverMode: 'auto', failoverAfterSeconds: 10 });
    browser = await launchChromium();
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    if (app) await deleteApp(app);
    if (stack) {
      const stoppedCleanly = await stack.stop();
      const leftovers = await stack.leftovers();
      await removeDataDir(stack);
      expect(stoppedCleanly).toBe(true);
      expect(leftovers).toEqual([]);
    }
  }, 90_000);

  it('a producer sees the switch to a spare, its VM and address, without reloading', async () => {
    // The show: a warm VM assigned by an admin, on air (OBS streaming).
    await db.ref(paths.request('e2e-assign')).set({
      action: 'assign',
      competitionId: COMPETITION,
      requestedBy: 'demo-admin',
      requestedAt: Date.now(),
      options: {},
    });
    await expect
      .poll(async () => (await competitionVm(db))?.vmAddress ?? null, { timeout: 120_000 })
      .not.toBeNull();
    const before = (await competitionVm(db))!;
    const failedVm = before.vmId!;
    const streaming = await fetch(`${stack.controlUrl}/__local/vms/${failedVm}/obs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streaming: true }),
    });
    expect(streaming.status).toBe(200);
    await expect
      .poll(
        async () =>
          ((await db.ref(`${paths.vm(failedVm)}/status`).get()).val() as string | null) ?? '',
        { timeout: 60_000 },
      )
      .toBe('in_use');

    producer = await signedInPage(browser, stack.webUrl, PRODUCER_EMAIL);
    await producer.goto(`/${COMPETITION}/vm-setup`);
    const widget = producer.getByRole('button', { name: new RegExp(`^VM status: ${failedVm},`) });
    await widget.waitFor({ timeout: 60_000 });
    await producer.getByText(before.vmAddress!).first().waitFor();
    // A marker that a reload or navigation would wipe.
    await producer.evaluate(() => {
      (globalThis as unknown as { failoverMarker: string }).failoverMarker = 'same page';
    });

    const crashed = await stack.crash(failedVm);
    expect(crashed.crashed).toBe(true);

    const alert = producer.getByText(new RegExp(`${failedVm} failed: show moved to vm-\\d{3}`));
    await alert.first().waitFor({ timeout: 120_000 });
    const after = (await competitionVm(db))!;
    expect(after.vmId).not.toBe(failedVm);
    expect(after.vmAddress).not.toBe(before.vmAddress);
    await producer
      .getByRole('button', { name: new RegExp(`^VM status: ${after.vmId!},`) })
      .waitFor({ timeout: 30_000 });
    await producer.getByText(after.vmAddress!).first().waitFor({ timeout: 30_000 });
    const failover = producer.getByRole('region', { name: 'Failover' });
    await failover
      .getByText(`Show moved from ${failedVm} to ${after.vmId!}`)
      .waitFor({ timeout: 30_000 });
    expect(
      await producer.evaluate(
        () => (globalThis as unknown as { failoverMarker?: string }).failoverMarker,
      ),
    ).toBe('same page');
    await screenshot(producer, 'failover-01-producer-sees-switch');
  });
});
