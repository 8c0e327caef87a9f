import { afterAll, describe, expect, it } from 'vitest';
import { abandonRuns, formatRound, runCrashRounds } from './rounds.js';

const ROUNDS = 3;

// The short CI version of `npm run test:crash` (20 rounds): the same rounds, on its own port.
describe('crash safety: kill -9 mid-load', () => {
  // Only does something when the test timed out: the run cleans up after itself otherwise.
  afterAll(abandonRuns);

  it(
    `keeps every acknowledged intake, a sound file and an intact audit chain over ${ROUNDS} rounds`,
    async () => {
      const report = await runCrashRounds({ rounds: ROUNDS, port: 4121 });
      const lines = report.rounds.map((round) => formatRound(round, ROUNDS));
      expect(report.ok, lines.join('\n')).toBe(true);
      expect(report.rounds).toHaveLength(ROUNDS);
      for (const round of report.rounds) {
        expect(round.acknowledgedAtKill, `round ${round.round}: acknowledged before the kill`).toBeGreaterThan(0);
        expect(round.inFlightAtKill, `round ${round.round}: in flight at the kill`).toBeGreaterThan(0);
        expect(round.present).toBe(round.totalAcknowledged);
        expect(round.integrity).toBe('ok');
        expect(round.chain?.ok).toBe(true);
      }
    },
    // About 20 s on a quiet machine: each round starts the app (~3 s), loads it, and runs `bvte audit verify`.
    180_000,
  );
});
