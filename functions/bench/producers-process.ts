/**
 * The producers of the control-plane bench, in their own process (as producers' browsers are
 * not where the control plane runs): the parent asks it to open N web SDK clients, then to
 * have each request an assign at once, and gets back each request's latencies, measured here
 * from the request write to its result and to the competition config.
 */
import { performance } from 'node:perf_hooks';
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { getDatabase, onValue, push, ref, serverTimestamp, set } from 'firebase/database';
import { paths } from '@vmpool/core';

export type ProducersCall =
  | {
      readonly kind: 'connect';
      readonly url: string;
      readonly count: number;
      readonly round: string;
    }
  | { readonly kind: 'assign' }
  | { readonly kind: 'close' };
export interface ProducersRequest {
  readonly id: number;
  readonly call: ProducersCall;
}
export interface ProducersReply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}
export interface Sample {
  readonly result: number;
  readonly config: number;
}

let clients: FirebaseApp[] = [];

/** Every producer asks for its competition's VM at once; resolves with each one's latencies. */
function assignAll(): Promise<Sample[]> {
  return Promise.all(
    clients.map(
      (client, i) =>
        new Promise<Sample>((resolve, reject) => {
          const web = getDatabase(client);
          const competitionId = `meet-${i + 1}`;
          const requestRef = push(ref(web, paths.requests()));
          let resultAt: number | null = null;
          let configAt: number | null = null;
          const t0 = performance.now();
          const done = () => {
            if (resultAt !== null && configAt !== null) {
              stopResult();
              stopConfig();
              resolve({ result: resultAt - t0, config: configAt - t0 });
            }
          };
          const stopResult = onValue(
            ref(web, `${paths.request(requestRef.key ?? '')}/result/state`),
            (snap) => {
              if (snap.val() === 'succeeded') resultAt ??= performance.now();
              if (snap.val() === 'failed') reject(new Error(`assign for ${competitionId} failed`));
              done();
            },
          );
          const stopConfig = onValue(
            ref(web, `${paths.competitionConfig(competitionId)}/vmId`),
            (snap) => {
              if (typeof snap.val() === 'string') configAt ??= performance.now();
              done();
            },
          );
          void set(requestRef, {
            action: 'assign',
            competitionId,
            requestedBy: `producer-${i}`,
            requestedAt: serverTimestamp(),
          });
        }),
    ),
  );
}

async function answer(call: ProducersCall): Promise<unknown> {
  switch (call.kind) {
    case 'connect': {
      clients = Array.from({ length: call.count }, (_, i) =>
        initializeApp({ databaseURL: call.url, projectId: 'bench' }, `producer-${call.round}-${i}`),
      );
      // Connect every producer first, as open browser tabs would be.
      await Promise.all(
        clients.map((client) => set(ref(getDatabase(client), `bench/warm/${client.name}`), true)),
      );
      return null;
    }
    case 'assign':
      return assignAll();
    case 'close':
      await Promise.all(clients.map((client) => deleteApp(client)));
      clients = [];
      return null;
  }
}

process.on('message', (raw) => {
  const { id, call } = raw as ProducersRequest;
  answer(call).then(
    (value) => process.send?.({ id, value } satisfies ProducersReply),
    (error: unknown) => process.send?.({ id, error: String(error) } satisfies ProducersReply),
  );
});
process.on('disconnect', () => process.exit(0));
