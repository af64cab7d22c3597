import { rmSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { startReceiver, type Receiver } from './receiver.js';
import { tempDir } from './server.js';

/** What tests that run hookd as its own process on files of their own share: one receiver and one directory. */
export interface ReceiverAndDirectory {
  receiver: Receiver;
  dir: string;
}

/**
 * Registers, in the calling `describe`, a receiver started before its tests and a temporary directory
 * for their database files, both removed after them. The fields are set once `beforeAll` has run.
 */
export function useReceiverAndDirectory(): ReceiverAndDirectory {
  const scene = {} as ReceiverAndDirectory;
  beforeAll(async () => {
    scene.dir = tempDir();
    scene.receiver = await startReceiver();
  });
  afterAll(async () => {
    await scene.receiver?.close();
    if (scene.dir) rmSync(scene.dir, { recursive: true, force: true });
  });
  return scene;
}
